import { randomUUID } from 'node:crypto';
import {
  assertExpectedVersionMatchesCurrent,
  type AggregateStreamOptions,
  type AggregateStreamResult,
  type AppendToStreamOptions,
  type AppendToStreamResultWithGlobalPosition,
  type Event,
  type EventStore,
  type ReadEvent,
  type ReadEventMetadataWithGlobalPosition,
  type ReadStreamOptions,
  type ReadStreamResult,
} from '@event-driven-io/emmett';
import { migrate, quoteIdentifier, type SqlExecutor, type SqlQueryable, type SqlTransaction } from '@billing/database';
import { eventStoreMigrations } from './schema.js';
import { UpcasterRegistry, type Upcaster } from './upcasting.js';

/** Who caused an event: the user (id, role, display name) or a system component. */
export interface Actor {
  userId: string;
  role: string;
  name?: string;
}

/**
 * Metadata the platform stores with every event. All fields optional on append; `eventId` is
 * generated (UUID v4) when absent and is the event's idempotency key across the whole store.
 */
export interface EventMetadata {
  eventId?: string;
  correlationId?: string;
  causationId?: string;
  actor?: Actor;
  /** Shape version of `data` for this event type (default 1); see {@link Upcaster}. */
  schemaVersion?: number;
  [key: string]: unknown;
}

/** What readers get besides the event: Emmett's recorded metadata plus the platform's. */
export type StoredEventMetadata = ReadEventMetadataWithGlobalPosition &
  EventMetadata & {
    eventId: string;
    /** xid8 of the transaction that wrote the event (global-log ordering key, with globalPosition). */
    transactionId: bigint;
    schemaVersion: number;
    /** When the database recorded the event (UTC). */
    recordedAt: Date;
  };

/** An event read back from the store. `data` is plain JSON. */
export type RecordedEvent<E extends Event = Event> = ReadEvent<E, StoredEventMetadata>;

/** A position in the global log: events are ordered by (transactionId, globalPosition). */
export interface GlobalLogPosition {
  transactionId: bigint;
  globalPosition: bigint;
}

/** Before the first event. */
export const LOG_START: GlobalLogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export interface PostgresEventStoreOptions {
  /** The owning service's schema, e.g. `billing`. Every table lives there. */
  schema: string;
  /** Upcasters turning stored old shapes of events into current ones on read. */
  upcasters?: readonly Upcaster[];
}

interface EventRow {
  global_position: string;
  transaction_id: string;
  stream_id: string;
  stream_version: string;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recorded_at: Date | string;
}

/** Columns read from `events e`, int8/xid8 as text (see the executor port's rules). */
const EVENT_COLUMNS = `e.global_position::text AS global_position, e.transaction_id::text AS transaction_id, e.stream_id,
  e.stream_version::text AS stream_version, e.event_id::text AS event_id, e.event_type, e.schema_version, e.data, e.metadata,
  e.recorded_at`;

/** The version of a stream that does not exist yet. Its first event gets version 1. */
export const DEFAULT_STREAM_VERSION = 0n;

/**
 * Emmett-compatible event store on PostgreSQL 15+ or PGlite (through the {@link SqlExecutor} port),
 * with every table in the owning service's schema.
 *
 * Streams are named `<type>-<id>` (e.g. `bill-<customerId>-2017-10`); the type is the part before
 * the first `-`. Events are JSON (`data`); money inside them must be minor units as strings or safe
 * integers, never floats, and never BigInt (JSON cannot hold one).
 */
export class PostgresEventStore implements EventStore<StoredEventMetadata> {
  readonly schema: string;
  readonly #s: string;
  readonly #upcasters: UpcasterRegistry;

  /**
   * @param db the executor, or an open transaction when created through {@link withTransaction}
   */
  constructor(
    private readonly db: SqlExecutor,
    options: PostgresEventStoreOptions,
    private readonly tx?: SqlTransaction,
  ) {
    this.schema = options.schema;
    this.#s = quoteIdentifier(options.schema);
    this.#upcasters = new UpcasterRegistry(options.upcasters ?? []);
  }

  /** Creates the schema and tables when missing (idempotent, safe across processes). */
  async migrate(): Promise<void> {
    await migrate(this.db, this.schema, eventStoreMigrations);
  }

  /**
   * The same store bound to an open transaction: appends and reads join it, so a consumer can
   * record its effect, its processed-message id and new events atomically.
   */
  withTransaction(tx: SqlTransaction): PostgresEventStore {
    return new PostgresEventStore(this.db, { schema: this.schema, upcasters: this.#upcasters.list() }, tx);
  }

  /** Runs `work` in a transaction of this store's database with a store bound to it. */
  transaction<T>(work: (store: PostgresEventStore, tx: SqlTransaction) => Promise<T>): Promise<T> {
    if (this.tx) return work(this, this.tx);
    return this.db.transaction((tx) => work(this.withTransaction(tx), tx));
  }

  /** The underlying executor (for consumers that need their own transactions). */
  get executor(): SqlExecutor {
    return this.db;
  }

  private get q(): SqlQueryable {
    return this.tx ?? this.db;
  }

  /**
   * Appends events to a stream, atomically, after checking the expected version.
   * @param options.expectedStreamVersion a version (bigint), `STREAM_DOES_NOT_EXIST`, `STREAM_EXISTS`
   *   or `NO_CONCURRENCY_CHECK` (the default)
   * @returns the stream's new version and the global position of the last event appended
   * @throws ExpectedVersionConflictError (Emmett) when the stream is not at the expected version;
   *   nothing is appended then
   * @throws Error (SQLSTATE 23505) when an event id was already stored
   */
  async appendToStream<EventType extends Event, EventPayloadType extends Event = EventType>(
    streamName: string,
    events: EventType[],
    options?: AppendToStreamOptions<bigint, EventType, EventPayloadType>,
  ): Promise<AppendToStreamResultWithGlobalPosition> {
    if (events.length === 0) {
      throw new Error(`appendToStream(${streamName}): no events to append`);
    }
    const downcast = options?.schema?.versioning?.downcast;
    const toStore: Event[] = downcast ? events.map((e) => downcast(e)) : events;
    return this.transaction(async (_store, tx) => {
      // Creates the stream row when missing and locks it either way (ON CONFLICT DO UPDATE takes the
      // row lock): concurrent writers of one stream queue here, so versions stay gapless.
      const locked = await tx.query<{ version: string }>(
        `INSERT INTO ${this.#s}.streams AS s (stream_id, stream_type, version) VALUES ($1, $2, 0)
         ON CONFLICT (stream_id) DO UPDATE SET updated_at = now()
         RETURNING s.version::text AS version`,
        [streamName, streamTypeOf(streamName)],
      );
      const current = BigInt(locked.rows[0]!.version);
      assertExpectedVersionMatchesCurrent(current, options?.expectedStreamVersion, DEFAULT_STREAM_VERSION);

      const rows = toStore.map((event, index) => {
        const metadata = { ...((event as { metadata?: EventMetadata }).metadata ?? {}) };
        const eventId = typeof metadata.eventId === 'string' ? metadata.eventId : randomUUID();
        const schemaVersion = typeof metadata.schemaVersion === 'number' ? metadata.schemaVersion : 1;
        delete metadata.eventId;
        delete metadata.schemaVersion;
        return {
          stream_version: (current + BigInt(index + 1)).toString(),
          event_id: eventId,
          event_type: event.type,
          schema_version: schemaVersion,
          data: event.data,
          metadata,
        };
      });
      const next = current + BigInt(rows.length);
      const inserted = await tx.query<{ global_position: string }>(
        `WITH bumped AS (UPDATE ${this.#s}.streams SET version = $3 WHERE stream_id = $1)
         INSERT INTO ${this.#s}.events (stream_id, stream_version, event_id, event_type, schema_version, data, metadata)
         SELECT $1, e.stream_version, e.event_id, e.event_type, e.schema_version, e.data, e.metadata
           FROM jsonb_to_recordset($2::jsonb)
             AS e(stream_version bigint, event_id uuid, event_type text, schema_version integer, data jsonb, metadata jsonb)
          ORDER BY e.stream_version
         RETURNING global_position::text`,
        [streamName, JSON.stringify(rows), next.toString()],
      );
      const positions = inserted.rows.map((r) => BigInt(r.global_position));
      return {
        nextExpectedStreamVersion: next,
        createdNewStream: current === DEFAULT_STREAM_VERSION,
        lastEventGlobalPosition: positions.reduce((a, b) => (b > a ? b : a), 0n),
      };
    });
  }

  /**
   * Reads a stream's events in version order, upcast to their current shape.
   * @param options.from first version (inclusive, default 1); `to` last version (inclusive);
   *   `maxCount` at most that many events; `expectedStreamVersion` fails fast when the stream moved
   * @returns the events, the stream's current version (0 when it does not exist) and whether it exists
   * @throws ExpectedVersionConflictError when `expectedStreamVersion` does not match
   */
  async readStream<EventType extends Event, EventPayloadType extends Event = EventType>(
    streamName: string,
    options?: ReadStreamOptions<bigint, EventType, EventPayloadType>,
  ): Promise<ReadStreamResult<EventType, StoredEventMetadata>> {
    const version = await this.q.query<{ version: string }>(
      `SELECT version::text AS version FROM ${this.#s}.streams WHERE stream_id = $1`,
      [streamName],
    );
    const current = version.rows[0] ? BigInt(version.rows[0].version) : DEFAULT_STREAM_VERSION;
    const exists = current > DEFAULT_STREAM_VERSION;
    if (options?.expectedStreamVersion !== undefined) {
      assertExpectedVersionMatchesCurrent(current, options.expectedStreamVersion, DEFAULT_STREAM_VERSION);
    }
    if (!exists) return { currentStreamVersion: current, events: [], streamExists: false };

    const from = options?.from ?? 1n;
    const to = options?.to ?? current;
    const limit = options?.maxCount !== undefined ? ` LIMIT ${BigInt(options.maxCount).toString()}` : '';
    const result = await this.q.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events e
        WHERE e.stream_id = $1 AND e.stream_version >= $2 AND e.stream_version <= $3
        ORDER BY e.stream_version${limit}`,
      [streamName, from.toString(), to.toString()],
    );
    const upcast = options?.schema?.versioning?.upcast;
    const events = result.rows.map((row) => {
      const event = this.toRecordedEvent(row);
      return (upcast ? { ...event, ...upcast(event as unknown as EventPayloadType) } : event) as RecordedEvent<EventType>;
    });
    return { currentStreamVersion: current, events, streamExists: true };
  }

  /**
   * Folds a stream into state with `evolve`, from `initialState()`. With `read.to: n` it gives the
   * state as it was at version n (time travel).
   */
  async aggregateStream<State, EventType extends Event, EventPayloadType extends Event = EventType>(
    streamName: string,
    options: AggregateStreamOptions<State, EventType, StoredEventMetadata, EventPayloadType>,
  ): Promise<AggregateStreamResult<State, bigint> & { lastVersion: bigint }> {
    const read = await this.readStream<EventType, EventPayloadType>(streamName, options.read);
    const evolve = options.evolve as (state: State, event: RecordedEvent<EventType>) => State;
    const state = read.events.reduce((acc, event) => evolve(acc, event), options.initialState());
    const lastVersion = read.events.at(-1)?.metadata.streamPosition ?? DEFAULT_STREAM_VERSION;
    return { currentStreamVersion: read.currentStreamVersion, state, streamExists: read.streamExists, lastVersion };
  }

  /** Whether the stream has at least one event. */
  async streamExists(streamName: string): Promise<boolean> {
    const result = await this.q.query(`SELECT 1 FROM ${this.#s}.streams WHERE stream_id = $1 AND version > 0`, [streamName]);
    return result.rowCount > 0;
  }

  /**
   * Reads the global log after `after`, in (transactionId, globalPosition) order, returning only
   * events of transactions below the current snapshot's xmin: every such transaction has finished,
   * so no event can later appear before the returned ones. That is what keeps a consumer from
   * skipping an event whose transaction committed late with a lower global position.
   * @param limit at most that many events (default 1,000)
   */
  async readAll(after: GlobalLogPosition = LOG_START, limit = 1000): Promise<RecordedEvent[]> {
    const result = await this.q.query<EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM ${this.#s}.events e
        WHERE (e.transaction_id, e.global_position) > ($1::text::xid8, $2::bigint)
          AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY e.transaction_id, e.global_position
        LIMIT $3`,
      [after.transactionId.toString(), after.globalPosition.toString(), limit],
    );
    return result.rows.map((row) => this.toRecordedEvent(row));
  }

  /** The checkpoint stored for a global-log consumer, or {@link LOG_START}. */
  async readCheckpoint(consumerId: string, options: { forUpdate?: boolean } = {}): Promise<GlobalLogPosition> {
    const result = await this.q.query<{ transaction_id: string; global_position: string }>(
      `SELECT transaction_id::text, global_position::text FROM ${this.#s}.checkpoints WHERE consumer_id = $1${
        options.forUpdate ? ' FOR UPDATE' : ''
      }`,
      [consumerId],
    );
    const row = result.rows[0];
    return row ? { transactionId: BigInt(row.transaction_id), globalPosition: BigInt(row.global_position) } : LOG_START;
  }

  /** Stores a global-log consumer's checkpoint (upsert). */
  async storeCheckpoint(consumerId: string, position: GlobalLogPosition): Promise<void> {
    await this.q.query(
      `INSERT INTO ${this.#s}.checkpoints (consumer_id, transaction_id, global_position)
       VALUES ($1, $2::text::xid8, $3::bigint)
       ON CONFLICT (consumer_id) DO UPDATE
         SET transaction_id = EXCLUDED.transaction_id, global_position = EXCLUDED.global_position, updated_at = now()`,
      [consumerId, position.transactionId.toString(), position.globalPosition.toString()],
    );
  }

  /** Removes a consumer's checkpoint so it starts over from the beginning (replay). */
  async resetCheckpoint(consumerId: string): Promise<void> {
    await this.q.query(`DELETE FROM ${this.#s}.checkpoints WHERE consumer_id = $1`, [consumerId]);
  }

  private toRecordedEvent(row: EventRow): RecordedEvent {
    const upcast = this.#upcasters.upcast({ type: row.event_type, data: row.data, schemaVersion: row.schema_version });
    return {
      type: upcast.type,
      data: upcast.data,
      kind: 'Event',
      metadata: {
        ...(row.metadata as EventMetadata),
        eventId: row.event_id,
        messageId: row.event_id,
        streamName: row.stream_id,
        streamPosition: BigInt(row.stream_version),
        globalPosition: BigInt(row.global_position),
        transactionId: BigInt(row.transaction_id),
        schemaVersion: upcast.schemaVersion,
        recordedAt: row.recorded_at instanceof Date ? row.recorded_at : new Date(row.recorded_at),
      },
    } as RecordedEvent;
  }
}

/** The position of a recorded event in the global log. */
export function positionOf(event: RecordedEvent): GlobalLogPosition {
  return { transactionId: event.metadata.transactionId, globalPosition: event.metadata.globalPosition };
}

/** `bill-c1-2017-10` → `bill`. */
export function streamTypeOf(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash > 0 ? streamName.slice(0, dash) : streamName;
}
