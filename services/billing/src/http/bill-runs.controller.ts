import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query } from '@nestjs/common';
import { z } from 'zod';
import { CurrentUser, Roles, type Principal } from '@billing/auth';
import { BillRunService, billRunNotFound, runOut } from '../bill-run/bill-run.service.js';

const runBody = z.object({ period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month yyyy-mm') });
const pageQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50), offset: z.coerce.number().int().min(0).default(0) });

/** Month-end bill runs (Finance, Admin start them; every role reads progress). */
@Controller('api/bill-runs')
export class BillRunsController {
  constructor(@Inject(BillRunService) private readonly runs: BillRunService) {}

  /**
   * `POST /api/bill-runs { period }` → 202 `{ runId, period, status, total, processed, drafted, skipped, failed,
   * startedAt, finishedAt, created }`: starts the period's run in the background, or returns the existing
   * one (`created: false`; nothing new is created). 422 `bill.period_in_future`.
   */
  @Roles('Finance', 'Admin')
  @Post()
  @HttpCode(202)
  async start(@Body({ schema: runBody }) body: z.output<typeof runBody>, @CurrentUser() user: Principal) {
    const { run, created } = await this.runs.start(body.period, { userId: user.userId, role: user.role ?? 'none', name: user.name }, new Date().toISOString());
    return { ...runOut(run), created };
  }

  /** `GET /api/bill-runs?limit&offset`: every run, newest period first. */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get()
  async list(@Query({ schema: pageQuery }) q: z.output<typeof pageQuery>) {
    return { ...(await this.runs.list(q.limit, q.offset)), limit: q.limit, offset: q.offset };
  }

  /** `GET /api/bill-runs/:runId` (`run-<yyyy-mm>`): the run's progress. 404 `bill_run.not_found`. */
  @Roles('Finance', 'CustomerSuccess', 'Sales', 'Admin')
  @Get(':runId')
  async get(@Param('runId') runId: string) {
    const run = /^run-\d{4}-(0[1-9]|1[0-2])$/.test(runId) ? await this.runs.get(runId) : undefined;
    if (!run) throw billRunNotFound(runId);
    return runOut(run);
  }
}
