/**
 * Distributed entry point of the identity service: one process, its own PostgreSQL database, Kafka.
 * Configuration and lifecycle: see `runDistributedService` (exit 1 naming each bad variable; clean
 * shutdown on SIGINT/SIGTERM).
 */
import 'reflect-metadata';
import { runDistributedService } from '@billing/service-kit';
import { identityService } from './identity.module.js';

await runDistributedService(identityService, { servesOwnKeys: true });
