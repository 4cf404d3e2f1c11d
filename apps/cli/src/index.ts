export * from './context.js';
export * from './commands.js';
