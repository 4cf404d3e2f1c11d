/**
 * The message bus port. Integration events travel between services as {@link BusMessage}s on topics
 * named `<context>.<aggregate>-events.v<major>` (e.g. `billing.bill-events.v1`), keyed by stream id so
 * that one stream's events keep their order. Two adapters implement it: Kafka (KafkaJS) and in-process
 * memory. Retry, back-off and dead-lettering are not the adapters' job: {@link ConsumerRunner} does
 * them the same way for every adapter.
 */

/** Message headers: UTF-8 strings. */
export type BusHeaders = Record<string, string>;

/** A message to publish. */
export interface OutgoingMessage {
  /** Partitioning key: the stream id, so one stream's messages stay in order. */
  key: string;
  /** The encoded integration event (protobuf envelope bytes). */
  value: Uint8Array;
  headers?: BusHeaders;
}

/** A message as a consumer receives it. */
export interface BusMessage {
  topic: string;
  partition: number;
  /** Position within the partition, as a decimal string (Kafka offsets are int64). */
  offset: string;
  key: string;
  value: Uint8Array;
  headers: BusHeaders;
}

/**
 * Handles one message. Resolving means "done": the adapter commits the offset (the next offset of the
 * partition). Throwing means the adapter must redeliver (at-least-once): the offset is not committed
 * and the same message is handed again, after a short pause, to whichever member then owns the
 * partition; later messages of that partition wait (per-partition order). A member that is closing
 * does not redeliver: the uncommitted message goes to the partition's next owner.
 * {@link ConsumerRunner} turns repeated failures into a dead letter, so raw handlers rarely throw.
 */
export type RawMessageHandler = (message: BusMessage) => Promise<void>;

export interface SubscribeOptions {
  /** Consumer group: the service name. Members of one group share the topics' partitions. */
  groupId: string;
  topics: readonly string[];
  /** Start from the earliest retained message when the group has no committed offset (default true). */
  fromBeginning?: boolean;
  handler: RawMessageHandler;
}

/** A running subscription (one member of a consumer group). */
export interface Subscription {
  /** Leaves the group (its partitions move to the other members) and stops delivering. */
  close(): Promise<void>;
}

/** Positions in one partition of a topic; offsets are decimal strings (Kafka offsets are int64). */
export interface PartitionOffsets {
  partition: number;
  /** Oldest offset still retained (the low watermark). */
  start: string;
  /** Offset the next message will get (the high watermark): `end - start` messages are retained. */
  end: string;
  /** The group's committed offset, i.e. the next offset it will read; `null` when it has none or no group was asked. */
  committed: string | null;
}

export interface MessageBus {
  /** Adapter name, for health and logs: `kafka` or `memory`. */
  readonly name: string;
  /**
   * Publishes messages to one topic and resolves once the broker acknowledged every one of them
   * (Kafka: `acks=-1`; memory: every subscribed group has handled them). Rejects when any is not
   * acknowledged; the caller retries the whole batch, so consumers must be idempotent. Messages
   * with the same key go to the same partition, in the order given.
   */
  publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void>;
  /** Joins a consumer group and starts delivering; resolves once the member is running (Kafka: has joined the group). */
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  /** Creates topics that do not exist yet (memory: merely registers them; topics are created on first use anyway). */
  ensureTopics(topics: readonly string[]): Promise<void>;
  /**
   * The offsets of every partition of `topic`, sorted by partition, and, when `groupId` is given, that
   * group's committed positions: what a lag monitor or {@link replayDeadLetters} needs to know where
   * "the end" is. A topic the bus does not know has no partitions (empty list).
   */
  offsets(topic: string, groupId?: string): Promise<PartitionOffsets[]>;
  /** Closes every subscription and connection. */
  close(): Promise<void>;
}

/** Headers every integration event carries, so dead letters and logs can be read without decoding. */
export const Header = {
  eventId: 'event-id',
  eventType: 'event-type',
  correlationId: 'correlation-id',
  /** On a dead letter: the topic, partition and offset the message came from. */
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  /** On a dead letter: the consumer group that gave up, the attempts made and the last error. */
  failedGroup: 'dlq-group',
  attempts: 'dlq-attempts',
  error: 'dlq-error',
  errorKind: 'dlq-error-kind',
} as const;

/** The dead-letter topic of a consumer group: `<groupId>.dead-letter`. */
export function deadLetterTopic(groupId: string): string {
  return `${groupId}.dead-letter`;
}
