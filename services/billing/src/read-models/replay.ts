import { Controller, Get, HttpCode, Inject, Injectable, Post, type BeforeApplicationShutdown } from '@nestjs/common';
import { Roles } from '@billing/auth';
import { quoteIdentifier, type SqlExecutor } from '@billing/database';
import { SERVICE_CONTEXT, type ServiceContext } from '@billing/service-kit';
import { addToBatch, emptyBatch, foldStream, READ_MODEL_TABLES, streamKindOf, writeReadModels, type ProjectedEvent, type ReadModelBatch } from './read-models.js';

/** Progress of a replay. */
export interface ReplayProgress {
  status: 'idle' | 'running' | 'finished' | 'failed';
  total: number;
  processed: number;
  streams: number;
  startedAt: string | null;
  finishedAt: string | null;
  eventsPerSecond: number | null;
  error: string | null;
}

/**
 * Rebuilds every read model of the billing service from zero, in ONE transaction (readers see the old
 * rows until it commits): empties the tables, scans the event store in (stream, version) order (keyset
 * pages of `pageSize`), folds each stream with the same functions the live write paths use and writes
 * the rows in bulk. Every read model depends on one stream only, so stream order gives the same rows as
 * the live, global-order updates.
 * @param onProgress called after each page with (events done, total)
 */
export async function replayReadModels(db: SqlExecutor, schema: string, onProgress?: (processed: number, total: number, streams: number) => void, pageSize = 20_000): Promise<{ events: number; streams: number }> {
  const s = quoteIdentifier(schema);
  const totalRow = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${s}.events`);
  const total = Number(totalRow.rows[0]!.n);
  return db.transaction(async (tx) => {
    await tx.query(`TRUNCATE ${READ_MODEL_TABLES.map((t) => `${s}.${t}`).join(', ')}`);
    let processed = 0;
    let streams = 0;
    let current: { streamId: string; events: ProjectedEvent[] } | null = null;
    let batch: ReadModelBatch = emptyBatch();
    let pending = 0;
    const finish = (): void => {
      if (!current) return;
      const kind = streamKindOf(current.streamId);
      addToBatch(batch, kind, foldStream(kind, current.events));
      streams += 1;
      pending += 1;
    };
    const fetchPage = (after: [string, string]) =>
      tx.query<{ stream_id: string; stream_version: string; event_type: string; data: unknown }>(
        `SELECT stream_id, stream_version::text AS stream_version, event_type, data FROM ${s}.events
          WHERE (stream_id, stream_version) > ($1, $2::bigint) ORDER BY stream_id, stream_version LIMIT $3`,
        [after[0], after[1], pageSize],
      );
    let next = fetchPage(['', '0']);
    for (;;) {
      const page = await next;
      // Prefetch: the database reads the next page while this one is folded.
      const lastRow = page.rows.at(-1);
      if (page.rows.length === pageSize && lastRow) next = fetchPage([lastRow.stream_id, lastRow.stream_version]);
      for (const row of page.rows) {
        if (!current || current.streamId !== row.stream_id) {
          finish();
          current = { streamId: row.stream_id, events: [] };
        }
        current.events.push({ type: row.event_type, data: row.data });
      }
      processed += page.rows.length;
      if (page.rows.length < pageSize) break;
      if (pending >= 5_000) {
        await writeReadModels(tx, schema, batch, { insertOnly: true });
        batch = emptyBatch();
        pending = 0;
      }
      onProgress?.(processed, total, streams);
    }
    finish();
    await writeReadModels(tx, schema, batch, { insertOnly: true });
    onProgress?.(processed, total, streams);
    return { events: processed, streams };
  });
}

/** Runs one replay at a time in the background and reports its progress; shutdown waits for it. */
@Injectable()
export class ReplayService implements BeforeApplicationShutdown {
  #progress: ReplayProgress = { status: 'idle', total: 0, processed: 0, streams: 0, startedAt: null, finishedAt: null, eventsPerSecond: null, error: null };
  #running: Promise<void> | undefined;

  constructor(@Inject(SERVICE_CONTEXT) private readonly service: ServiceContext) {}

  get progress(): ReplayProgress {
    return { ...this.#progress };
  }

  /** Starts a replay unless one is running; resolves with the progress at start. */
  start(): ReplayProgress {
    if (this.#progress.status !== 'running') {
      const started = Date.now();
      this.#progress = { status: 'running', total: 0, processed: 0, streams: 0, startedAt: new Date(started).toISOString(), finishedAt: null, eventsPerSecond: null, error: null };
      this.#running = replayReadModels(this.service.db, this.service.schema, (processed, total, streams) => {
        this.#progress = { ...this.#progress, processed, total, streams };
      }).then(
        ({ events }) => {
          const seconds = (Date.now() - started) / 1000;
          this.#progress = { ...this.#progress, status: 'finished', processed: events, finishedAt: new Date().toISOString(), eventsPerSecond: Math.round(events / Math.max(seconds, 0.001)) };
        },
        (error: unknown) => {
          this.#progress = { ...this.#progress, status: 'failed', finishedAt: new Date().toISOString(), error: error instanceof Error ? error.message : String(error) };
        },
      );
    }
    return this.progress;
  }

  /** Resolves when the replay in progress (if any) ended. */
  async settled(): Promise<void> {
    await this.#running;
  }

  /** Lets a replay in progress commit (or fail) before the database is closed. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.#running;
  }
}

/** `POST /api/billing/replay` (Admin) → 202 progress; `GET /api/billing/replay` (Admin) → progress. */
@Controller('api/billing/replay')
export class ReplayController {
  constructor(@Inject(ReplayService) private readonly replay: ReplayService) {}

  /** Starts rebuilding every billing read model from zero (one at a time). */
  @Roles('Admin')
  @Post()
  @HttpCode(202)
  start(): ReplayProgress {
    return this.replay.start();
  }

  /** Progress of the current or last replay. */
  @Roles('Admin')
  @Get()
  get(): ReplayProgress {
    return this.replay.progress;
  }
}
