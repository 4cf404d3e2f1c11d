import { openTestPostgres } from '@billing/database';
import { defineEventStoreContract } from './event-store.contract.js';

defineEventStoreContract('PostgreSQL', () => openTestPostgres());
