export * from './approvals.module.js';
export * from './config.js';
