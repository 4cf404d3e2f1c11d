/**
 * @billing/platform: the building blocks every service runtime shares: validated configuration,
 * RFC 9457 problem details, zod request validation, health, and the NestJS HTTP bootstrap.
 */
export * from './config.js';
export * from './problem-details.js';
export * from './validation.js';
export * from './health.js';
export * from './http-app.js';
export * from './service-module.js';
export * from './access.js';
