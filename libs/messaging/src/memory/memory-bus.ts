import { AsyncLocalStorage } from 'node:async_hooks';
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
import { deferred, delay, type Deferred } from '../internal/async.js';

/** Options for {@link MemoryBus}. */
export interface MemoryBusOptions {
  /** Partitions of every topic (default 3). Keys are spread over them by hash, as Kafka does. */
  partitions?: number;
  /** Pause before a message whose handler threw is delivered again, in milliseconds (default 100). */
  redeliveryDelayMs?: number;
}

/** Set while a {@link MemoryBus} handler runs, so a publish made from inside a handler does not wait for delivery. */
const handlerScope = new AsyncLocalStorage<MemoryBus>();

interface StoredMessage {
  key: string;
  value: Uint8Array;
  headers: BusHeaders;
}

class MemoryTopic {
  /** One append-only log per partition; a message's offset is its index. */
  readonly logs: StoredMessage[][];
  /** The consumer groups subscribed to this topic, by group id. */
  readonly groups = new Map<string, GroupTopic>();

  constructor(
    readonly name: string,
    partitions: number,
  ) {
    this.logs = Array.from({ length: partitions }, () => []);
  }
}

/** One member of a consumer group (one `subscribe` call); groups list their members in join order. */
class Member {
  closing: Promise<void> | undefined;
  /** Handlers of this member still running, one per partition at most. */
  readonly inFlight = new Set<Promise<void>>();

  constructor(readonly handler: RawMessageHandler) {}
}

interface Waiter {
  offset: number;
  done: Deferred<void>;
}

/** A consumer group's state on one topic: committed offsets, members, one worker per partition. */
class GroupTopic {
  readonly committed: number[];
  readonly members: Member[] = [];
  readonly workers: PartitionWorker[];
  /** Publishers waiting for this group to handle a message, per partition, in offset order. */
  readonly waiters: Waiter[][];

  constructor(
    readonly bus: MemoryBus,
    readonly groupId: string,
    readonly topic: MemoryTopic,
    fromBeginning: boolean,
    redeliveryDelayMs: number,
  ) {
    this.committed = topic.logs.map((log) => (fromBeginning ? 0 : log.length));
    this.waiters = topic.logs.map(() => []);
    this.workers = topic.logs.map((_, partition) => new PartitionWorker(bus, this, partition, redeliveryDelayMs));
    for (const worker of this.workers) worker.start();
  }

  /** Spreads the partitions over the members round-robin, in join order, and wakes the workers. */
  assign(): void {
    this.workers.forEach((worker, partition) => {
      worker.owner = this.members.length === 0 ? undefined : this.members[partition % this.members.length];
      worker.interrupt();
    });
  }

  /** Resolves once this group has committed past `offset` in `partition`. */
  waitFor(partition: number, offset: number): Promise<void> {
    if ((this.committed[partition] ?? 0) > offset) return Promise.resolve();
    const waiter: Waiter = { offset, done: deferred() };
    this.waiters[partition]?.push(waiter);
    return waiter.done.promise;
  }

  commit(partition: number, offset: number): void {
    this.committed[partition] = offset + 1;
    const waiting = this.waiters[partition];
    while (waiting && waiting.length > 0 && (waiting[0]?.offset ?? Infinity) <= offset) {
      waiting.shift()?.done.resolve();
    }
  }

  rejectWaiters(error: Error): void {
    for (const waiting of this.waiters) {
      for (const waiter of waiting.splice(0)) waiter.done.reject(error);
    }
  }

  notify(partition: number): void {
    this.workers[partition]?.notify();
  }
}

/**
 * Consumes one partition for one group, one message at a time: hands it to the partition's current
 * owner, commits when the handler resolves, delivers it again after a pause when it throws. Ownership
 * changes take effect between two messages, so a partition is never handled by two members at once.
 */
class PartitionWorker {
  owner: Member | undefined;
  #data: Deferred<void> | undefined;
  #control: Deferred<void> | undefined;

  constructor(
    readonly bus: MemoryBus,
    readonly group: GroupTopic,
    readonly partition: number,
    readonly redeliveryDelayMs: number,
  ) {}

  start(): void {
    void this.#run();
  }

  /** New messages were appended. */
  notify(): void {
    this.#data?.resolve();
  }

  /** The owner changed or the bus closed. */
  interrupt(): void {
    this.#control?.resolve();
    this.#data?.resolve();
  }

  async #run(): Promise<void> {
    const log = this.group.topic.logs[this.partition] ?? [];
    while (!this.bus.closed) {
      const owner = this.owner;
      const offset = this.group.committed[this.partition] ?? 0;
      const stored = log[offset];
      if (!owner || owner.closing || !stored) {
        this.#data = deferred();
        this.#control = deferred();
        await this.#data.promise;
        continue;
      }
      const message: BusMessage = {
        topic: this.group.topic.name,
        partition: this.partition,
        offset: String(offset),
        key: stored.key,
        value: stored.value.slice(),
        headers: { ...stored.headers },
      };
      const running = deferred();
      owner.inFlight.add(running.promise);
      let handled = false;
      try {
        await handlerScope.run(this.bus, () => owner.handler(message));
        handled = true;
      } catch {
        handled = false;
      }
      if (handled) this.group.commit(this.partition, offset);
      owner.inFlight.delete(running.promise);
      running.resolve();
      if (!handled && !this.bus.closed && !owner.closing && this.owner === owner) {
        this.#control = deferred();
        await Promise.race([delay(this.redeliveryDelayMs), this.#control.promise]);
      }
    }
  }
}

/** Kafka's partition choice is murmur2; any stable hash will do here: FNV-1a over the key's UTF-8 bytes. */
function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(key)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}

/**
 * The in-process {@link MessageBus} (adapter name `memory`), used by the embedded runtime and tests.
 *
 * - Topics have `partitions` partitions (default 3), created on first use; a message goes to the
 *   partition its key hashes to, so one key's messages keep their order.
 * - Members of a consumer group share the partitions round-robin in join order; they are reassigned
 *   when a member joins or closes. Each partition is consumed one message at a time; the offset is
 *   committed when the handler resolves; a handler that throws gets the same message again after
 *   `redeliveryDelayMs` (later messages of that partition wait).
 * - `publish` resolves only once every group that has a member subscribed to the topic has handled
 *   (committed) the messages, so an outbox that checkpoints after `publish` loses nothing in a crash.
 *   It rejects if such a group loses its last member, or the bus closes, first. A publish made from
 *   inside one of this bus's handlers (a dead letter, a replay) resolves once appended instead:
 *   waiting there could deadlock a cycle of topics.
 * - Every message is retained (in memory, for the bus's lifetime): a group that subscribes later with
 *   `fromBeginning` (the default) receives everything published before, and a group keeps its committed
 *   offsets when its last member leaves, to resume there when a member subscribes again.
 */
export class MemoryBus implements MessageBus {
  readonly name = 'memory';
  closed = false;
  readonly #partitions: number;
  readonly #redeliveryDelayMs: number;
  readonly #topics = new Map<string, MemoryTopic>();
  readonly #members = new Set<{ member: Member; close(): Promise<void> }>();
  #closing = false;

  /** @throws Error when `partitions` is not a positive integer or `redeliveryDelayMs` is negative. */
  constructor(options: MemoryBusOptions = {}) {
    const partitions = options.partitions ?? 3;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, got ${partitions}`);
    const redeliveryDelayMs = options.redeliveryDelayMs ?? 100;
    if (!(redeliveryDelayMs >= 0)) throw new Error(`redeliveryDelayMs must be >= 0, got ${redeliveryDelayMs}`);
    this.#partitions = partitions;
    this.#redeliveryDelayMs = redeliveryDelayMs;
  }

  /**
   * Appends the messages to their partitions and resolves once every subscribed group has handled
   * them (see the class description for the exceptions).
   * @throws Error when the bus is closed, a message has no string key or no `Uint8Array` value, or a
   * group lost its last member before handling the messages.
   */
  async publish(topic: string, messages: readonly OutgoingMessage[]): Promise<void> {
    this.#assertOpen();
    for (const message of messages) {
      if (typeof message.key !== 'string') throw new Error(`message key must be a string (topic ${topic})`);
      if (!(message.value instanceof Uint8Array)) throw new Error(`message value must be a Uint8Array (topic ${topic})`);
    }
    const state = this.#topic(topic);
    const waitForDelivery = handlerScope.getStore() !== this;
    const waits: Promise<void>[] = [];
    const touched = new Set<number>();
    for (const message of messages) {
      const partition = partitionOf(message.key, state.logs.length);
      const log = state.logs[partition];
      if (!log) continue;
      const offset = log.length;
      log.push({ key: message.key, value: message.value.slice(), headers: { ...message.headers } });
      touched.add(partition);
      if (!waitForDelivery) continue;
      for (const group of state.groups.values()) {
        if (group.members.length > 0) waits.push(group.waitFor(partition, offset));
      }
    }
    for (const group of state.groups.values()) {
      for (const partition of touched) group.notify(partition);
    }
    await Promise.all(waits);
  }

  /**
   * Adds a member to the group `groupId` on each of `topics` (partitions are reassigned at once) and
   * starts delivering. A group seen for the first time on a topic starts at the first retained message
   * (`fromBeginning`, the default) or at the end.
   * @throws Error when the bus is closed or `topics` is empty.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    this.#assertOpen();
    if (options.topics.length === 0) throw new Error(`subscribe: no topics given for group ${options.groupId}`);
    const member = new Member(options.handler);
    const groups: GroupTopic[] = [];
    for (const name of new Set(options.topics)) {
      const topic = this.#topic(name);
      let group = topic.groups.get(options.groupId);
      if (!group) {
        group = new GroupTopic(this, options.groupId, topic, options.fromBeginning ?? true, this.#redeliveryDelayMs);
        topic.groups.set(options.groupId, group);
      }
      group.members.push(member);
      group.assign();
      groups.push(group);
    }
    const entry = {
      member,
      close: (): Promise<void> => {
        member.closing ??= this.#leave(member, groups, options.groupId).finally(() => this.#members.delete(entry));
        return member.closing;
      },
    };
    this.#members.add(entry);
    return { close: entry.close };
  }

  /** Creates the topics (with the bus's partition count) if they do not exist yet. */
  async ensureTopics(topics: readonly string[]): Promise<void> {
    for (const topic of topics) this.#topic(topic);
  }

  /** Partition offsets of `topic` (start is always 0: nothing is deleted) and `groupId`'s committed offsets. */
  async offsets(topic: string, groupId?: string): Promise<PartitionOffsets[]> {
    const state = this.#topics.get(topic);
    if (!state) return [];
    const group = groupId === undefined ? undefined : state.groups.get(groupId);
    return state.logs.map((log, partition) => ({
      partition,
      start: '0',
      end: String(log.length),
      committed: group ? String(group.committed[partition] ?? 0) : null,
    }));
  }

  /** Closes every subscription (waiting for running handlers) and rejects publishes still waiting. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.#closing = true;
    await Promise.all([...this.#members].map((entry) => entry.close()));
    this.closed = true;
    const error = new Error('memory bus closed before the message was handled');
    for (const topic of this.#topics.values()) {
      for (const group of topic.groups.values()) {
        group.rejectWaiters(error);
        for (const worker of group.workers) worker.interrupt();
      }
    }
  }

  async #leave(member: Member, groups: readonly GroupTopic[], groupId: string): Promise<void> {
    for (const group of groups) {
      const index = group.members.indexOf(member);
      if (index >= 0) group.members.splice(index, 1);
      group.assign();
    }
    await Promise.all([...member.inFlight]);
    for (const group of groups) {
      if (group.members.length === 0) {
        group.rejectWaiters(
          new Error(
            this.#closing
              ? 'memory bus closed before the message was handled'
              : `consumer group "${groupId}" has no member left on topic ${group.topic.name}; publish again`,
          ),
        );
      }
    }
  }

  #topic(name: string): MemoryTopic {
    let topic = this.#topics.get(name);
    if (!topic) {
      if (name.length === 0) throw new Error('topic name must not be empty');
      topic = new MemoryTopic(name, this.#partitions);
      this.#topics.set(name, topic);
    }
    return topic;
  }

  #assertOpen(): void {
    if (this.closed || this.#closing) throw new Error('memory bus is closed');
  }
}
