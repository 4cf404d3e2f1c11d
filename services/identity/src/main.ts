/**
 * Distributed entry point of the identity service: one process, its own PostgreSQL database, Kafka.
 * Configuration and lifecycle: see `runDistributedService` (exit 1 naming each bad variable; clean
 * shutdown on SIGINT/SIGTERM) and `identityEnvSchema` (the identity settings, e.g. token lifetime).
 */
import 'reflect-metadata';
import { exitOnConfigError, loadConfig } from '@billing/platform';
import { runDistributedService } from '@billing/service-kit';
import { identityEnvSchema, identitySettingsFrom, type IdentityConfig } from './config.js';
import { createIdentityService } from './identity.module.js';

let config: IdentityConfig;
try {
  config = loadConfig(identityEnvSchema);
} catch (error) {
  exitOnConfigError(error);
}
await runDistributedService(createIdentityService(identitySettingsFrom(config)), { servesOwnKeys: true });
