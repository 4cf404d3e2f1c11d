export * from './executor.js';
export * from './pg-executor.js';
export * from './pglite-executor.js';
export * from './open.js';
export * from './migrations.js';
export * from './testing.js';
