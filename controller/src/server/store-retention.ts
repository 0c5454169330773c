// The `store-retention` job: events, node log lines and finished commands older than their
// retention are deleted in batches, yielding to the event loop between batches, so a big backlog
// (a first run on an old store) never blocks message handling for more than one batch.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { PeriodicJob } from '../lifecycle/service.js';
import type { RetainedTable, RetentionStore } from '../store/retention-store.js';
import type { RetentionPolicy } from './controller-options.js';

/** Batches per table per run: a backlog is worked off over several runs, not in one long one. */
const MAX_BATCHES_PER_RUN = 200;
const DAY_MS = 24 * 3600 * 1000;

/** Rows deleted by age since start, by table (events, logs, commands, orphans). */
export type PrunedRows = Map<string, number>;

/** The job, and what it deleted (for the metrics). */
export function storeRetentionJob(deps: {
  retention: RetentionStore;
  policy: RetentionPolicy;
  clock: Clock;
  logger: Logger;
  pruned: PrunedRows;
  /** Between batches; the default waits for the next turn of the event loop. */
  yieldToEventLoop?: () => Promise<unknown>;
}): PeriodicJob {
  const { retention, policy, clock, logger, pruned } = deps;
  const pause = deps.yieldToEventLoop ?? (() => nextTurn());
  const days: Record<RetainedTable, number> = {
    events: policy.eventsDays,
    logs: policy.logsDays,
    commands: policy.commandsDays,
  };
  const add = (what: string, n: number) => {
    if (n > 0) pruned.set(what, (pruned.get(what) ?? 0) + n);
  };
  return {
    name: 'store-retention',
    everyMs: policy.everyMs,
    async run() {
      const deleted: Record<string, number> = {};
      for (const table of Object.keys(days) as RetainedTable[]) {
        const before = new Date(clock.now().getTime() - days[table] * DAY_MS).toISOString();
        let total = 0;
        for (let i = 0; i < MAX_BATCHES_PER_RUN; i++) {
          const n = retention.prune(table, before, policy.batchRows);
          total += n;
          if (n < policy.batchRows) break;
          await pause();
        }
        add(table, total);
        if (total > 0) deleted[table] = total;
      }
      const orphans = retention.pruneOrphans();
      add('orphans', orphans);
      if (orphans > 0) deleted.orphans = orphans;
      if (Object.keys(deleted).length > 0) logger.info({ deleted }, 'store retention: old rows deleted');
    },
  };
}
