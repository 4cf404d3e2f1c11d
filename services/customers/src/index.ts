export * from './customers.module.js';
export * from './config.js';
