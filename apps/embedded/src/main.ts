/**
 * `npm start`: the whole billing platform in one process (embedded topology). Fails fast on invalid
 * configuration (exit 1, naming each bad variable on stderr); on SIGINT/SIGTERM closes HTTP, the bus,
 * then the database, and exits 0. Data persists in `<DATA_DIR>/pglite` across restarts.
 */
import 'reflect-metadata';
import { closeOnSignals, exitOnConfigError, loadConfig } from '@billing/platform';
import { embeddedEnvSchema, type EmbeddedConfig } from './config.js';
import { startEmbedded } from './embedded.js';

let config: EmbeddedConfig;
try {
  config = loadConfig(embeddedEnvSchema);
} catch (error) {
  exitOnConfigError(error);
}

try {
  const runtime = await startEmbedded(config);
  closeOnSignals(runtime.close);
  console.log(`Billing platform (embedded) listening on ${runtime.url}`);
} catch (error) {
  console.error('Billing platform (embedded) failed to start:', error);
  process.exit(1);
}
