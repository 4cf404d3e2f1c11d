import { describe, it, expect } from '@jest/globals';
import { startKafkaMockCluster } from './kafka-mock-cluster.js';

describe('startKafkaMockCluster', () => {
  it('uses KAFKA_BROKERS when set, without starting anything', async () => {
    const cluster = await startKafkaMockCluster({ env: { KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092' }, command: 'kcat-that-does-not-exist' });
    expect(typeof cluster).toBe('object');
    if (typeof cluster === 'string') return;
    expect(cluster.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092']);
    await cluster.stop();
  });

  it('explains why when kcat is missing, so the suite can say why it is skipped', async () => {
    expect(await startKafkaMockCluster({ env: {}, command: 'kcat-that-does-not-exist' })).toBe(
      'kcat-that-does-not-exist not installed (apt-get install -y kcat), and KAFKA_BROKERS not set',
    );
  });
});
