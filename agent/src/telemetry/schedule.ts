import cron, { type TaskOptions } from 'node-cron';
import type { Logger } from 'pino';

/** Runs `task` every `intervalSec` seconds until the returned function is called. */
export type Scheduler = (intervalSec: number, task: () => Promise<void>) => () => void;

/**
 * A six-field (with seconds) cron expression for an interval, or null when cron cannot say it:
 * cron steps restart at every minute (hour), so only divisors of 60 s (60 min) repeat evenly.
 */
export function cronExpression(intervalSec: number): string | null {
  if (!Number.isInteger(intervalSec) || intervalSec < 1) return null;
  if (intervalSec < 60) return 60 % intervalSec === 0 ? `*/${intervalSec} * * * * *` : null;
  const minutes = intervalSec / 60;
  if (Number.isInteger(minutes) && minutes < 60 && 60 % minutes === 0) return `0 */${minutes} * * * *`;
  return null;
}

/**
 * node-cron when the interval is a cron step, else a plain interval. Cron fires on wall-clock
 * boundaries, so a whole fleet would publish in the same second: a random delay of up to half the
 * interval (at most 5 s) spreads it. A slow run is skipped rather than stacked (noOverlap).
 */
export function cronScheduler(logger: Logger): Scheduler {
  // node-cron's own logger prints to stdout, which the agent keeps for command output.
  const cronLogger = {
    info: (msg: string) => logger.debug({ source: 'node-cron' }, msg),
    warn: (msg: string) => logger.debug({ source: 'node-cron' }, msg),
    error: (msg: string | Error, err?: Error) => logger.warn({ source: 'node-cron', err }, String(msg)),
    debug: (msg: string | Error) => logger.trace({ source: 'node-cron' }, String(msg)),
  };
  return (intervalSec, task) => schedule(intervalSec, task, cronLogger);
}

function schedule(
  intervalSec: number,
  task: () => Promise<void>,
  logger: NonNullable<TaskOptions['logger']>,
): () => void {
  const run = () => task().catch(() => undefined);
  const expression = cronExpression(intervalSec);
  if (expression === null) {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void run().finally(() => {
        busy = false;
      });
    }, intervalSec * 1000);
    return () => clearInterval(timer);
  }
  const job = cron.schedule(expression, run, {
    noOverlap: true,
    logger,
    maxRandomDelay: Math.min(5_000, (intervalSec * 1000) / 2),
  });
  return () => {
    void job.destroy();
  };
}
