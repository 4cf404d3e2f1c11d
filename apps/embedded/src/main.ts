/**
 * `npm start`: the whole billing platform in one process (embedded topology). Fails fast on invalid
 * configuration (exit 1, naming each bad variable on stderr); on SIGINT/SIGTERM closes HTTP, the bus,
 * then the database, and exits 0. Data persists in `<DATA_DIR>/pglite` across restarts.
 */
import 'reflect-metadata';
import { closeOnSignals, exitOnConfigError, loadConfig } from '@billing/platform';
import { embeddedEnvSchema, type EmbeddedConfig } from './config.js';
import { DEMO_PASSWORD } from '@billing/identity-service';
import { DEMO_STAFF_PASSWORD } from './demo-data.js';
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
  if (config.DEMO_MODE) {
    console.log(`Demo mode: log in as demo-finance, demo-customersuccess, demo-sales or demo-admin (password ${DEMO_PASSWORD}); the BillProcess staff User1…User4: ${DEMO_STAFF_PASSWORD}`);
  }
} catch (error) {
  console.error('Billing platform (embedded) failed to start:', error);
  process.exit(1);
}
