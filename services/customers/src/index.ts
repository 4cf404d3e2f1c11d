export * from './customers.module.js';
export * from './config.js';
export * from './settings.js';
export { customersAccessMatrix } from './access-matrix.js';
