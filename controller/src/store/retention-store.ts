import { commandState, isTerminalCommandState } from '@osbuild/shared';
import type { Db } from './db.js';

/** Tables the retention job prunes by age. */
export type RetainedTable = 'events' | 'logs' | 'commands';

const FINISHED = commandState.options.filter((s) => isTerminalCommandState(s));

/**
 * Deletes by age, one bounded batch per call, so the caller can yield to the event loop between
 * batches (server/store-retention.ts). Events and log lines are looked at oldest first and only
 * among the oldest `batch` rows: ids grow with time, so no statement scans the whole table.
 */
export class RetentionStore {
  constructor(private readonly db: Db) {}

  /** Delete up to `batch` of the oldest rows of `table` written before `before`; the count deleted. */
  prune(table: RetainedTable, before: string, batch: number): number {
    switch (table) {
      case 'events':
        return this.db
          .prepare('DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY id LIMIT ?) AND at < ?')
          .run(batch, before).changes;
      case 'logs':
        return this.db
          .prepare(
            'DELETE FROM node_logs WHERE id IN (SELECT id FROM node_logs ORDER BY id LIMIT ?) AND at < ?',
          )
          .run(batch, before).changes;
      case 'commands': {
        // Only finished commands: a queued or running one is live state, whatever its age.
        const marks = FINISHED.map(() => '?').join(',');
        return this.db
          .prepare(
            `DELETE FROM commands WHERE rowid IN (SELECT rowid FROM commands
               WHERE state IN (${marks}) AND finished_at < ? LIMIT ?)`,
          )
          .run(...FINISHED, before, batch).changes;
      }
    }
  }

  /**
   * Rows that outlived their node: the latest telemetry sample of a removed node, and usage rows
   * with nothing left to account for. Small tables (one row per node); the count deleted.
   */
  pruneOrphans(): number {
    const telemetry = this.db
      .prepare('DELETE FROM telemetry WHERE node_id NOT IN (SELECT node_id FROM nodes)')
      .run().changes;
    const usage = this.db
      .prepare('DELETE FROM node_usage WHERE log_rows <= 0 AND event_rows <= 0')
      .run().changes;
    return telemetry + usage;
  }

  /** Bytes of the database file as SQLite sees it (pages in use and free), without the WAL. */
  sizeBytes(): number {
    const pages = this.db.pragma('page_count', { simple: true }) as number;
    const size = this.db.pragma('page_size', { simple: true }) as number;
    return pages * size;
  }
}
