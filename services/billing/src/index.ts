export * from './billing.module.js';
export * from './config.js';
export * from './cli/index.js';
export * from './access-matrix.js';
