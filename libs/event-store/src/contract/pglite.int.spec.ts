import { PGliteExecutor } from '@billing/database';
import { defineEventStoreContract } from './event-store.contract.js';

defineEventStoreContract('PGlite (embedded)', async () => ({ db: await PGliteExecutor.open() }));
