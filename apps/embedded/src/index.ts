export * from './config.js';
export * from './embedded.module.js';
export * from './embedded.js';
