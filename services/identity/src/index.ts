export * from './identity.module.js';
export * from './config.js';
