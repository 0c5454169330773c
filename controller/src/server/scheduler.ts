import type { Logger } from 'pino';
import type { PeriodicJob, Service } from '../lifecycle/service.js';

/**
 * The one scheduler of the controller's periodic work: each job has its own period and timer, a
 * job that throws (or rejects) is logged with its name and runs again at its next period, and an
 * async job still running when its period comes round is skipped rather than stacked.
 */
export class Scheduler implements Service {
  readonly name = 'scheduler';
  readonly #timers: NodeJS.Timeout[] = [];
  readonly #running = new Set<string>();

  constructor(
    private readonly jobs: readonly PeriodicJob[],
    private readonly logger: Logger,
  ) {}

  start(): void {
    for (const job of this.jobs) this.#timers.push(setInterval(() => this.#run(job), job.everyMs));
  }

  stop(): void {
    for (const t of this.#timers.splice(0)) clearInterval(t);
  }

  #run(job: PeriodicJob): void {
    if (this.#running.has(job.name)) return;
    const failed = (err: unknown) => this.logger.error({ err, job: job.name }, 'periodic job failed');
    try {
      const result = job.run();
      if (result instanceof Promise) {
        this.#running.add(job.name);
        result.catch(failed).finally(() => this.#running.delete(job.name));
      }
    } catch (err) {
      failed(err);
    }
  }
}
