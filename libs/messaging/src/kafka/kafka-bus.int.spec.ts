import { describe, it } from '@jest/globals';
import { createKafkaBus, type KafkaLogLevel } from './kafka-bus.js';
import { defineBusContract } from '../testing/bus-contract.js';
import { startKafkaMockCluster } from '../testing/kafka-mock-cluster.js';
import { openPGliteTestDatabase, openPostgresTestDatabase } from '../testing/test-database.js';

const cluster = await startKafkaMockCluster();

if (typeof cluster === 'string') {
  console.log(`Kafka bus contract suite skipped: ${cluster}`);
  describe.skip('KafkaBus bus contract', () => {
    it('needs a Kafka cluster', () => undefined);
  });
} else {
  // The production pairing: Kafka and PostgreSQL (PGlite when no PostgreSQL answers).
  defineBusContract('KafkaBus', {
    createBus: () =>
      createKafkaBus({
        brokers: cluster.brokers,
        clientId: 'messaging-contract',
        logLevel: (process.env.KAFKA_LOG_LEVEL as KafkaLogLevel | undefined) ?? 'nothing',
        redeliveryDelayMs: 50,
        // librdkafka's mock coordinator waits `session timeout - 1 s` for members to rejoin a rebalance.
        consumer: { sessionTimeoutMs: 4_000, heartbeatIntervalMs: 300, rebalanceTimeoutMs: 10_000, maxWaitTimeMs: 100 },
      }),
    openDatabase: async () => {
      const postgres = await openPostgresTestDatabase('msg_kafka');
      if (typeof postgres !== 'string') return postgres;
      console.log(`Kafka bus contract uses PGlite: ${postgres}`);
      return openPGliteTestDatabase('msg_kafka');
    },
    cleanup: () => cluster.stop(),
    concurrent: true,
  });
}
