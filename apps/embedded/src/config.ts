import { booleanFlagSchema, databaseUrlSchema, logLevelSchema, portSchema } from '@billing/platform';
import { z } from 'zod';

/**
 * Environment of the embedded runtime (`npm start`):
 * - `PORT` (default 3000; 0 picks a free port);
 * - `DATA_DIR` (default `./data`): the embedded PostgreSQL lives in `<DATA_DIR>/pglite`;
 * - `DATABASE_URL` (optional): overrides the database, e.g. `pglite://memory` (tests) or a
 *   `postgres://…` URL (every service then gets its schema in that one database);
 * - `LOG_LEVEL` (default `info`);
 * - `WEB_DIR` (default `services/web`): the web app served at `/`;
 * - `WEB_BUILD` (default true): rebuild the web app in the background when its `dist/` is stale;
 * - `DEMO_MODE` (default true; refused with `NODE_ENV=production`): on first start with an empty
 *   database, create one demo user per role and import the BillProcess dataset (see `loadDemoData`).
 */
export const embeddedEnvSchema = z.object({
  PORT: portSchema({ allowEphemeral: true }).default(3000),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: databaseUrlSchema().optional(),
  LOG_LEVEL: logLevelSchema().default('info'),
  WEB_DIR: z.string().optional(),
  WEB_BUILD: booleanFlagSchema().default(true),
  DEMO_MODE: booleanFlagSchema().default(true),
  NODE_ENV: z.string().optional(),
}).superRefine((env, ctx) => {
  if (env.DEMO_MODE && env.NODE_ENV === 'production') {
    ctx.addIssue({ code: 'custom', path: ['DEMO_MODE'], message: 'demo mode (users with a published password) is refused when NODE_ENV=production' });
  }
});

/** The validated embedded configuration. */
export type EmbeddedConfig = z.output<typeof embeddedEnvSchema>;
