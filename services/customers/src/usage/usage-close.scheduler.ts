import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { CUSTOMERS_SETTINGS, type CustomersSettings } from '../settings.js';
import { UsageService } from './usage.service.js';

/** The actor recorded on events of scheduled closes. */
export const SCHEDULER_ACTOR = { userId: 'system', role: 'system', name: 'Usage close scheduler' } as const;

/**
 * Closes usage months on schedule: every `closeIntervalMs` (and once at start-up) it closes each month
 * that ended more than `closeGraceDays` days ago (see `UsageService.closeDuePeriods`) and prunes the
 * dedup table. Off when `settings.scheduler` is false (tests). One run at a time; a failed run is
 * logged and retried at the next tick.
 */
@Injectable()
export class UsageCloseScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly logger = new Logger('customers.usage-close');

  constructor(
    private readonly usage: UsageService,
    @Inject(CUSTOMERS_SETTINGS) private readonly settings: CustomersSettings,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.settings.scheduler) return;
    this.timer = setInterval(() => void this.tick(), this.settings.closeIntervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** Runs one pass now (skipped when one is running). */
  async tick(): Promise<void> {
    if (this.running) return this.running;
    this.running = (async () => {
      try {
        const closed = await this.usage.closeDuePeriods(this.settings.closeGraceDays, SCHEDULER_ACTOR);
        if (closed.length > 0) this.logger.log(`closed usage periods ${closed.join(', ')}`);
      } catch (error) {
        this.logger.warn(`closing usage periods failed, retrying next tick: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
