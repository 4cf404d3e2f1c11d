/**
 * `npm run replay -w @billing/billing-service` (after a build): rebuilds every billing read model from
 * zero directly on the database (`DATABASE_URL`, schema `DB_SCHEMA`, default `billing`), printing a
 * progress bar, for operators of the distributed topology. The platform CLI's `replay billing` does the
 * same through the running service's API (`POST /api/billing/replay`).
 */
import { openDatabase } from '@billing/database';
import { replayReadModels } from '../read-models/replay.js';

const url = process.env.DATABASE_URL;
const schema = process.env.DB_SCHEMA ?? 'billing';
if (!url) {
  console.error('DATABASE_URL is required');
  process.exit(2);
}
const db = await openDatabase(url, { applicationName: 'billing-replay' });
try {
  const started = Date.now();
  const result = await replayReadModels(db, schema, (done, total) => {
    const width = 30;
    const filled = total > 0 ? Math.round((done / total) * width) : width;
    process.stdout.write(`\rreplay billing [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} events`);
  });
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(`\nreplayed ${result.events} events of ${result.streams} streams in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s)\n`);
} finally {
  await db.close();
}
