export * from './billing.module.js';
export * from './config.js';
