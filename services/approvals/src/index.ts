export * from './approvals.module.js';
export * from './config.js';
export * from './access-matrix.js';
export * from './cli/index.js';
