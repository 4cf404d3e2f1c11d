import { describe, it, expect } from '@jest/globals';
import { deadLetterTopic, Header, type BusMessage, type MessageBus, type OutgoingMessage } from './bus.js';
import { backoffDelay, ConsumerRunner, ConsumerStoppedError, retryPolicy, type ConsumerRunnerOptions, type DeadLetterFailure } from './consumer-runner.js';
import { parseDeadLetter } from './dead-letter.js';
import { DecodeError, isRetryableError, NonRetryableError } from './errors.js';

/** A bus that records what is published to it (and can be told to refuse). */
class RecordingBus implements MessageBus {
  readonly name = 'recording';
  readonly published: { topic: string; message: OutgoingMessage }[] = [];
  refuse = false;

  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    if (this.refuse) throw new Error('broker unavailable');
    for (const message of messages) this.published.push({ topic, message });
  }
  async subscribe(): Promise<never> {
    throw new Error('not used');
  }
  async ensureTopics(): Promise<void> {}
  async offsets(): Promise<never[]> {
    return [];
  }
  async close(): Promise<void> {}
}

const silent = { warn: () => undefined, error: () => undefined };

function incoming(value = 'payload', headers: Record<string, string> = { [Header.eventId]: 'evt-1' }): BusMessage {
  return { topic: 'billing.bill-events.v1', partition: 2, offset: '41', key: 'bill-7', value: new TextEncoder().encode(value), headers };
}

function runner(bus: RecordingBus, handler: ConsumerRunnerOptions['handler'], extra: Partial<ConsumerRunnerOptions> = {}) {
  const sleeps: number[] = [];
  const instance = new ConsumerRunner({
    bus,
    groupId: 'payments',
    topics: ['billing.bill-events.v1'],
    handler,
    logger: silent,
    retry: { attempts: 4, initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 3, jitter: 0 },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...extra,
  });
  return { instance, sleeps };
}

describe('backoffDelay', () => {
  const policy = retryPolicy({ initialDelayMs: 100, maxDelayMs: 1_000, multiplier: 2, jitter: 0.5 });

  it('grows exponentially up to the cap', () => {
    const none = () => 0;
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, policy, none))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('takes away at most the jitter share of each delay', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(400);
    expect(backoffDelay(3, policy, () => 0.5)).toBe(300);
    expect(backoffDelay(3, policy, () => 0.999_999)).toBe(200);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(2, policy);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
  });

  it('rejects invalid policies', () => {
    expect(() => retryPolicy({ attempts: 0 })).toThrow(RangeError);
    expect(() => retryPolicy({ attempts: 1.5 })).toThrow(RangeError);
    expect(() => retryPolicy({ jitter: 2 })).toThrow(RangeError);
    expect(() => retryPolicy({ multiplier: 0.5 })).toThrow(RangeError);
    expect(() => retryPolicy({ initialDelayMs: -1 })).toThrow(RangeError);
    expect(retryPolicy({ attempts: undefined })).toEqual(retryPolicy());
  });
});

describe('isRetryableError', () => {
  it('retries everything but decode errors and errors marked retryable: false', () => {
    expect(isRetryableError(new Error('connection reset'))).toBe(true);
    expect(isRetryableError('a string')).toBe(true);
    expect(isRetryableError(new DecodeError('bad bytes'))).toBe(false);
    expect(isRetryableError(new NonRetryableError('unknown customer'))).toBe(false);
    expect(isRetryableError(Object.assign(new Error('domain rule'), { retryable: false }))).toBe(false);
  });
});

describe('ConsumerRunner', () => {
  it('retries a failing handler with exponential back-off until it succeeds', async () => {
    const bus = new RecordingBus();
    let calls = 0;
    const { instance, sleeps } = runner(bus, async () => {
      if (++calls < 3) throw new Error('database busy');
    });
    await instance.handle(incoming());
    expect(calls).toBe(3);
    expect(sleeps).toEqual([100, 300]);
    expect(bus.published).toEqual([]);
  });

  it('dead-letters after the last attempt, with the original message and the failure in headers', async () => {
    const bus = new RecordingBus();
    const failures: DeadLetterFailure[] = [];
    let calls = 0;
    const { instance, sleeps } = runner(
      bus,
      async () => {
        calls++;
        throw new Error('bill 7 does not exist');
      },
      { onDeadLetter: (failure) => failures.push(failure) },
    );
    await instance.handle(incoming('the bytes', { [Header.eventId]: 'evt-9', [Header.eventType]: 'billing.v1.BillIssued' }));

    expect(calls).toBe(4);
    expect(sleeps).toEqual([100, 300, 900]);
    expect(bus.published).toHaveLength(1);
    const [{ topic, message }] = bus.published as [{ topic: string; message: OutgoingMessage }];
    expect(topic).toBe(deadLetterTopic('payments'));
    expect(message.key).toBe('bill-7');
    expect(new TextDecoder().decode(message.value)).toBe('the bytes');
    expect(message.headers).toEqual({
      [Header.eventId]: 'evt-9',
      [Header.eventType]: 'billing.v1.BillIssued',
      [Header.originalTopic]: 'billing.bill-events.v1',
      [Header.originalPartition]: '2',
      [Header.originalOffset]: '41',
      [Header.failedGroup]: 'payments',
      [Header.attempts]: '4',
      [Header.error]: 'bill 7 does not exist',
      [Header.errorKind]: 'exhausted',
    });
    expect(failures.map((f) => [f.attempts, f.errorKind, (f.error as Error).message])).toEqual([[4, 'exhausted', 'bill 7 does not exist']]);
  });

  it('dead-letters a non-retryable error or a decode error on the first failure', async () => {
    const bus = new RecordingBus();
    const errors = [new NonRetryableError('customer unknown'), Object.assign(new Error('plain but permanent'), { retryable: false }), new DecodeError('truncated protobuf')];
    for (const error of errors) {
      let calls = 0;
      const { instance, sleeps } = runner(bus, async () => {
        calls++;
        throw error;
      });
      await instance.handle(incoming());
      expect(calls).toBe(1);
      expect(sleeps).toEqual([]);
    }
    expect(bus.published.map(({ message }) => [message.headers?.[Header.errorKind], message.headers?.[Header.attempts], message.headers?.[Header.error]])).toEqual([
      ['non-retryable', '1', 'customer unknown'],
      ['non-retryable', '1', 'plain but permanent'],
      ['decode', '1', 'truncated protobuf'],
    ]);
  });

  it('accepts its own retry predicate', async () => {
    const bus = new RecordingBus();
    let calls = 0;
    const { instance } = runner(
      bus,
      async () => {
        calls++;
        throw Object.assign(new Error('constraint violated'), { code: '23514' });
      },
      { isRetryable: (error) => (error as { code?: string }).code !== '23514' },
    );
    await instance.handle(incoming());
    expect(calls).toBe(1);
    expect(bus.published[0]?.message.headers?.[Header.errorKind]).toBe('non-retryable');
  });

  it('rethrows when the dead letter cannot be published, so the message stays uncommitted', async () => {
    const bus = new RecordingBus();
    bus.refuse = true;
    const { instance } = runner(bus, async () => {
      throw new NonRetryableError('nope');
    });
    await expect(instance.handle(incoming())).rejects.toThrow('broker unavailable');
  });

  it('replaces the dead-letter headers of a replayed letter that fails again', async () => {
    const bus = new RecordingBus();
    const { instance } = runner(bus, async () => {
      throw new NonRetryableError('still broken');
    });
    const replayed = incoming('x', { [Header.eventId]: 'evt-1', [Header.attempts]: '9', [Header.error]: 'old error', [Header.failedGroup]: 'other' });
    await instance.handle(replayed);
    const letter = parseDeadLetter({ ...replayed, headers: bus.published[0]?.message.headers ?? {} });
    expect(letter).toMatchObject({ attempts: 1, error: 'still broken', failedGroup: 'payments', headers: { [Header.eventId]: 'evt-1' } });
  });

  it('stops a back-off when stopped, leaving the message unhandled', async () => {
    const bus = new RecordingBus();
    let started!: () => void;
    const backingOff = new Promise<void>((resolve) => (started = resolve));
    const { instance } = runner(
      bus,
      async () => {
        throw new Error('transient');
      },
      {
        sleep: (_ms, signal) =>
          new Promise<void>((resolve) => {
            started();
            signal.addEventListener('abort', () => resolve(), { once: true });
          }),
      },
    );
    const handling = instance.handle(incoming());
    await backingOff;
    await instance.stop();
    await expect(handling).rejects.toBeInstanceOf(ConsumerStoppedError);
    expect(bus.published).toEqual([]);
  });
});
