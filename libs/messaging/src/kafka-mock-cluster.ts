/**
 * `@billing/messaging/kafka-mock-cluster`: librdkafka's mock Kafka cluster (through Debian's `kcat`)
 * for development launchers and tests, without the Jest-only helpers of `@billing/messaging/testing`.
 */
export * from './testing/kafka-mock-cluster.js';
