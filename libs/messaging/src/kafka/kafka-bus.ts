import kafkajs from 'kafkajs';
import type { Admin, Consumer, IHeaders, KafkaMessage, Producer } from 'kafkajs';
import type {
  BusHeaders,
  BusMessage,
  MessageBus,
  OutgoingMessage,
  PartitionOffsets,
  RawMessageHandler,
  SubscribeOptions,
  Subscription,
} from '../bus.js';
import { delay, errorMessage } from '../internal/async.js';

const { Kafka, Partitioners, logLevel: KafkaLogLevels } = kafkajs;

/** How much the Kafka client logs (to stdout, as JSON lines). */
export type KafkaLogLevel = 'nothing' | 'error' | 'warn' | 'info' | 'debug';

/** Consumer-group timing; the defaults suit a production cluster, tests lower them. */
export interface KafkaConsumerTuning {
  /** A member not heard of for this long is evicted, in milliseconds (default 30 000). */
  sessionTimeoutMs?: number;
  /** Heartbeat period, in milliseconds (default a tenth of the session timeout, at least 500); a rebalance is noticed at the next heartbeat. */
  heartbeatIntervalMs?: number;
  /** How long the coordinator waits for members to rejoin during a rebalance, in milliseconds (default twice the session timeout). */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for new messages, in milliseconds (default 1 000): the latency of an idle consumer. */
  maxWaitTimeMs?: number;
  /** Partitions of one member handled in parallel (default 8); within a partition, messages are sequential. */
  partitionsConsumedConcurrently?: number;
}

/** Options of {@link createKafkaBus}. */
export interface KafkaBusOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Client id reported to the brokers (the service name). */
  clientId: string;
  /** Partitions of the topics {@link KafkaBus.ensureTopics} creates (default 3). */
  partitions?: number;
  /** Replication factor of created topics (default: the broker's `default.replication.factor`). */
  replicationFactor?: number;
  /** Client log level (default `warn`). */
  logLevel?: KafkaLogLevel;
  /** Create topics on first publish or subscribe, with {@link ensureTopics} (default true). */
  autoCreateTopics?: boolean;
  /** Pause before a message whose handler threw is delivered again, in milliseconds (default 1 000). */
  redeliveryDelayMs?: number;
  /** Longest `subscribe` waits for the member to join its group, in milliseconds (default 60 000). */
  joinTimeoutMs?: number;
  consumer?: KafkaConsumerTuning;
}

const logLevels: Record<KafkaLogLevel, number> = {
  nothing: KafkaLogLevels.NOTHING,
  error: KafkaLogLevels.ERROR,
  warn: KafkaLogLevels.WARN,
  info: KafkaLogLevels.INFO,
  debug: KafkaLogLevels.DEBUG,
};

function toBuffer(value: Uint8Array): Buffer {
  return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

function headerText(value: IHeaders[string]): string | undefined {
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

function toBusMessage(topic: string, partition: number, message: KafkaMessage): BusMessage {
  const headers: BusHeaders = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const text = headerText(value);
    if (text !== undefined) headers[name] = text;
  }
  const value = message.value ?? Buffer.alloc(0);
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString('utf8') ?? '',
    value: new Uint8Array(value.buffer, value.byteOffset, value.byteLength),
    headers,
  };
}

interface RunningMember {
  /** The current KafkaJS consumer (replaced when one crashes for good). */
  consumer: Consumer | undefined;
  stopping: boolean;
  /** Aborted when the member stops, to cut a redelivery pause short. */
  abort: AbortController;
  /** Deliveries in progress, each settled once its offset is committed (or left uncommitted). */
  inFlight: Set<Promise<void>>;
}

/** KafkaJS wraps protocol errors (e.g. REBALANCE_IN_PROGRESS) in its retrier's errors; it recognises only the original. */
function protocolCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && !('type' in current) && current.cause instanceof Error) current = current.cause;
  return current instanceof Error && 'type' in current ? current : error;
}

/**
 * The Kafka {@link MessageBus} (adapter name `kafka`), over KafkaJS; nothing outside `src/kafka/`
 * touches the client library.
 *
 * - Producer: `acks=-1` (all in-sync replicas), one request in flight per broker so retries cannot
 *   reorder, the murmur2 key partitioner (Java-compatible): one key's messages stay in order. Not the
 *   idempotent producer (some brokers, like librdkafka's mock cluster, lack it): a retried send may
 *   duplicate, which idempotent consumers absorb.
 * - Consumers: one KafkaJS consumer per {@link subscribe} (one group member), auto-commit off; the
 *   offset is committed after the handler resolves. A handler that throws gets the same message
 *   again after `redeliveryDelayMs` (heartbeating meanwhile, so a rebalance still happens and hands
 *   the uncommitted message to its next owner).
 * - Topics are created on first use when `autoCreateTopics` (default), with `partitions` partitions.
 */
export class KafkaBus implements MessageBus {
  readonly name = 'kafka';
  readonly #options: KafkaBusOptions;
  readonly #kafka: InstanceType<typeof Kafka>;
  readonly #closers = new Set<() => Promise<void>>();
  readonly #knownTopics = new Set<string>();
  #producer: Promise<Producer> | undefined;
  #admin: Promise<Admin> | undefined;
  #closed = false;

  /** @throws Error when `brokers` is empty or `partitions` is not a positive integer. */
  constructor(options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new Error('KafkaBus: no brokers given');
    const partitions = options.partitions ?? 3;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`KafkaBus: partitions must be a positive integer, got ${partitions}`);
    this.#options = options;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevels[options.logLevel ?? 'warn'],
    });
  }

  /**
   * Sends the messages to `topic` in one request, resolving once every in-sync replica has them.
   * @throws the client's error (e.g. `KafkaJSNumberOfRetriesExceeded`) when the brokers do not acknowledge.
   */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.#assertOpen();
    if (messages.length === 0) return;
    await this.#autoCreate([topic]);
    const producer = await this.#connectedProducer();
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => ({ key: message.key, value: toBuffer(message.value), headers: { ...message.headers } })),
    });
  }

  /**
   * Starts one group member and resolves once it has joined the group (so it owns partitions).
   * @throws Error when the member does not join within `joinTimeoutMs`; the client's errors.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    if (options.topics.length === 0) throw new Error(`subscribe: no topics given for group ${options.groupId}`);
    await this.#autoCreate(options.topics);
    const member: RunningMember = { consumer: undefined, stopping: false, abort: new AbortController(), inFlight: new Set() };
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        member.stopping = true;
        member.abort.abort();
        this.#closers.delete(close);
        // KafkaJS drops commits once its consumer is stopping: let running handlers commit first.
        await Promise.allSettled([...member.inFlight]);
        await member.consumer?.disconnect();
      })());
    this.#closers.add(close);
    try {
      await this.#startConsumer(member, options);
    } catch (error) {
      await close().catch(() => undefined);
      throw error;
    }
    return { close };
  }

  /**
   * Creates, connects and runs a KafkaJS consumer for `member`, resolving once it joined the group.
   * If it later crashes without restarting itself (KafkaJS gives up on non-retriable errors), a new
   * one replaces it after `redeliveryDelayMs`, so a subscription never silently stops.
   */
  async #startConsumer(member: RunningMember, options: SubscribeOptions): Promise<void> {
    const tuning = this.#options.consumer ?? {};
    const session = tuning.sessionTimeoutMs ?? 30_000;
    const consumer = this.#kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: session,
      heartbeatInterval: tuning.heartbeatIntervalMs ?? Math.max(500, Math.floor(session / 10)),
      rebalanceTimeout: tuning.rebalanceTimeoutMs ?? 2 * session,
      maxWaitTimeInMs: tuning.maxWaitTimeMs ?? 1_000,
      allowAutoTopicCreation: false,
    });
    member.consumer = consumer;
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    consumer.on(consumer.events.GROUP_JOIN, () => joined());
    consumer.on(consumer.events.CRASH, (event) => {
      if (event.payload.restart || member.stopping || member.consumer !== consumer) return;
      void this.#replaceConsumer(member, options);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: tuning.partitionsConsumedConcurrently ?? 8,
      eachMessage: async ({ topic, partition, message, heartbeat }) => {
        const delivery = (async () => {
          const delivered = toBusMessage(topic, partition, message);
          if (!(await this.#deliver(member, options.handler, delivered, heartbeat))) return;
          try {
            await consumer.commitOffsets([{ topic, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
          } catch (error) {
            // Typically a rebalance: rethrown as KafkaJS's own error it rejoins, and the message goes to its next owner.
            throw protocolCause(error);
          }
        })();
        member.inFlight.add(delivery);
        try {
          await delivery;
        } finally {
          member.inFlight.delete(delivery);
        }
      },
    });
    const joinTimeoutMs = this.#options.joinTimeoutMs ?? 60_000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      hasJoined,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`group ${options.groupId} not joined within ${joinTimeoutMs} ms`)), joinTimeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /** Starts a new consumer for `member` after a crash, retrying every `redeliveryDelayMs` until it joins or the member stops. */
  async #replaceConsumer(member: RunningMember, options: SubscribeOptions): Promise<void> {
    while (!member.stopping) {
      try {
        await delay(this.#options.redeliveryDelayMs ?? 1_000, member.abort.signal);
        const previous = member.consumer;
        await previous?.disconnect().catch(() => undefined);
        await this.#startConsumer(member, options);
        if (member.stopping) await member.consumer?.disconnect();
        return;
      } catch {
        // aborted (the member stopped) or the new consumer could not join yet: loop and check again
      }
    }
  }

  /**
   * Calls the handler until it resolves (true: commit) or the member stops (false: leave the message
   * uncommitted for the partition's next owner).
   */
  async #deliver(member: RunningMember, handler: RawMessageHandler, message: BusMessage, heartbeat: () => Promise<void>): Promise<boolean> {
    for (;;) {
      if (member.stopping) return false;
      try {
        await handler(message);
        return true;
      } catch {
        if (member.stopping) return false;
        try {
          await delay(this.#options.redeliveryDelayMs ?? 1_000, member.abort.signal);
        } catch {
          return false;
        }
        // Throws when the group is rebalancing: KafkaJS then rejoins and the message goes to its new owner.
        await heartbeat();
      }
    }
  }

  /**
   * Creates the topics that do not exist yet with `partitions` partitions and waits for their leaders.
   * A cluster that cannot create topics through the admin API (librdkafka's mock cluster has no
   * controller) gets them through the broker's auto-creation instead, with the broker's partition count.
   * @throws Error naming the topics that still do not exist afterwards; the client's errors.
   */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    this.#assertOpen();
    const wanted = [...new Set(topics)].filter((topic) => !this.#knownTopics.has(topic));
    if (wanted.length === 0) return;
    const admin = await this.#connectedAdmin();
    const existing = new Set(await admin.listTopics());
    const missing = wanted.filter((topic) => !existing.has(topic));
    if (missing.length > 0) {
      try {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: this.#options.partitions ?? 3,
            replicationFactor: this.#options.replicationFactor ?? -1,
          })),
        });
      } catch (error) {
        if ((error as { name?: unknown }).name !== 'KafkaJSBrokerNotFound') throw error;
        await admin.fetchTopicMetadata({ topics: missing });
      }
      const created = new Set(await admin.listTopics());
      const absent = missing.filter((topic) => !created.has(topic));
      if (absent.length > 0) throw new Error(`KafkaBus: could not create topics ${absent.join(', ')}`);
    }
    for (const topic of wanted) this.#knownTopics.add(topic);
  }

  /** Low and high watermarks of each partition of `topic` and, when asked, `groupId`'s committed offsets. */
  async offsets(topic: string, groupId?: string): Promise<PartitionOffsets[]> {
    this.#assertOpen();
    const admin = await this.#connectedAdmin();
    if (!(await admin.listTopics()).includes(topic)) return [];
    const watermarks = await admin.fetchTopicOffsets(topic);
    const committed = new Map<number, string>();
    if (groupId !== undefined) {
      const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] });
      for (const partition of fetched?.partitions ?? []) {
        if (partition.offset !== '-1') committed.set(partition.partition, partition.offset);
      }
    }
    return watermarks
      .map((w) => ({ partition: w.partition, start: w.low, end: w.high, committed: committed.get(w.partition) ?? null }))
      .sort((a, b) => a.partition - b.partition);
  }

  /** Stops every member (waiting for running handlers), then disconnects the producer and admin client. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.allSettled([...this.#closers].map((close) => close()));
    const producer = this.#producer;
    const admin = this.#admin;
    this.#producer = undefined;
    this.#admin = undefined;
    await Promise.allSettled([producer?.then((p) => p.disconnect()), admin?.then((a) => a.disconnect())]);
  }

  async #autoCreate(topics: readonly string[]): Promise<void> {
    if (this.#options.autoCreateTopics ?? true) await this.ensureTopics(topics);
  }

  #connectedProducer(): Promise<Producer> {
    this.#producer ??= (async () => {
      const producer = this.#kafka.producer({
        createPartitioner: Partitioners.DefaultPartitioner,
        idempotent: false,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
      });
      await producer.connect();
      return producer;
    })().catch((error: unknown) => {
      this.#producer = undefined;
      throw new Error(`KafkaBus: producer could not connect: ${errorMessage(error)}`, { cause: error });
    });
    return this.#producer;
  }

  #connectedAdmin(): Promise<Admin> {
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })().catch((error: unknown) => {
      this.#admin = undefined;
      throw new Error(`KafkaBus: admin client could not connect: ${errorMessage(error)}`, { cause: error });
    });
    return this.#admin;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('kafka bus is closed');
  }
}

/**
 * Creates the Kafka {@link MessageBus}. Connections open lazily, on the first publish, subscribe,
 * `ensureTopics` or `offsets` call.
 * @throws Error when `brokers` is empty or `partitions` is invalid.
 */
export function createKafkaBus(options: KafkaBusOptions): KafkaBus {
  return new KafkaBus(options);
}
