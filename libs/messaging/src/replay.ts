import { deadLetterTopic, type BusMessage, type MessageBus } from './bus.js';
import { parseDeadLetter, type DeadLetter } from './dead-letter.js';
import { deferred } from './internal/async.js';

/** Options for {@link replayDeadLetters}. */
export interface ReplayOptions {
  /** Which letters to replay (default: all). The others are kept in the dead-letter topic. */
  filter?: (letter: DeadLetter) => boolean;
  /** Replay at most this many letters; the rest stay where they are for a later replay. */
  limit?: number;
  /** Give up after this many milliseconds (default 60 000). */
  timeoutMs?: number;
}

/** What {@link replayDeadLetters} did. */
export interface ReplayReport {
  /** Letters republished to their original topic. */
  replayed: number;
  /** Letters that did not match the filter (or were not dead letters): appended again to the dead-letter topic. */
  kept: number;
}

/** Thrown by the replay handler for a letter it must leave uncommitted (beyond the snapshot or the limit). */
class NotThisTime extends Error {
  constructor() {
    super('left for a later replay');
  }
}

/** The consumer group through which {@link replayDeadLetters} reads `groupId`'s dead letters. */
export function replayGroupOf(groupId: string): string {
  return `${deadLetterTopic(groupId)}.replay`;
}

/**
 * Republishes the dead letters of consumer group `groupId` to their original topics, with their
 * original key, value and headers (the `dlq-*` headers removed). Every group subscribed to the
 * original topic sees the message again; consumers are idempotent, so only the group that failed it
 * has anything left to do. If it fails again, it becomes a new dead letter.
 *
 * The dead-letter topic is read through the consumer group {@link replayGroupOf}(groupId), from its
 * committed position up to the end the topic had when the replay started, so each letter is replayed
 * once however often this is called. A letter the filter rejects is appended again to the dead-letter
 * topic (so a later replay can still take it); once `limit` letters were replayed the replay stops
 * and the remaining letters stay uncommitted, in place.
 * @returns how many letters were replayed and kept.
 * @throws RangeError when `limit` is negative; Error when the replay does not finish within `timeoutMs`
 * (what it replayed so far stays replayed); the bus's errors.
 */
export async function replayDeadLetters(bus: MessageBus, groupId: string, options: ReplayOptions = {}): Promise<ReplayReport> {
  const { filter, limit, timeoutMs = 60_000 } = options;
  if (limit !== undefined && !(limit >= 0)) throw new RangeError(`limit must be >= 0, got ${limit}`);
  const topic = deadLetterTopic(groupId);
  const replayGroup = replayGroupOf(groupId);
  const report: ReplayReport = { replayed: 0, kept: 0 };
  if (limit === 0) return report;

  /** Per partition with letters to read: the end offset (exclusive) of this replay. */
  const ends = new Map<number, bigint>();
  for (const partition of await bus.offsets(topic, replayGroup)) {
    const start = BigInt(partition.start);
    const committed = partition.committed === null ? start : BigInt(partition.committed);
    const from = committed > start ? committed : start;
    if (from < BigInt(partition.end)) ends.set(partition.partition, BigInt(partition.end));
  }
  if (ends.size === 0) return report;

  const pending = new Set(ends.keys());
  const finished = deferred();
  let reserved = 0;
  const limitReached = () => limit !== undefined && reserved >= limit;

  const handler = async (message: BusMessage): Promise<void> => {
    const end = ends.get(message.partition);
    const offset = BigInt(message.offset);
    if (end === undefined || offset >= end) throw new NotThisTime();
    const letter = parseDeadLetter(message);
    if (letter && (filter?.(letter) ?? true)) {
      if (limitReached()) throw new NotThisTime();
      reserved++;
      try {
        await bus.publish(letter.originalTopic, [{ key: letter.key, value: letter.value, headers: letter.headers }]);
      } catch (error) {
        reserved--;
        throw error;
      }
      report.replayed++;
    } else {
      await bus.publish(topic, [{ key: message.key, value: message.value, headers: message.headers }]);
      report.kept++;
    }
    if (offset + 1n >= end) pending.delete(message.partition);
    if (pending.size === 0 || (limit !== undefined && report.replayed >= limit)) finished.resolve();
  };

  const subscription = await bus.subscribe({ groupId: replayGroup, topics: [topic], fromBeginning: true, handler });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      finished.promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`replay of ${topic} did not finish within ${timeoutMs} ms (replayed ${report.replayed}, kept ${report.kept})`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    await subscription.close();
  }
  return { ...report };
}
