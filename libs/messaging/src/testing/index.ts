export * from './bus-contract.js';
export * from './kafka-mock-cluster.js';
export * from './test-database.js';
export * from './wait.js';
