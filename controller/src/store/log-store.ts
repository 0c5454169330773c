import type { Db } from './db.js';

/** A stored line of node output. */
export interface LogRow {
  id: number;
  node_id: string;
  at: string;
  source: 'command' | 'agent';
  cmd_id: string | null;
  stream: string;
  text: string;
}

/** Lines of output kept per node; older ones are dropped as new ones arrive. */
export const LOG_LINES_KEPT = 5000;

/** Output of commands and steps, and the agent's own log lines, per node. */
export class LogStore {
  #sinceTrim = 0;
  constructor(private readonly db: Db) {}

  append(row: Omit<LogRow, 'id'>): void {
    this.db
      .prepare(
        'INSERT INTO node_logs (node_id, at, source, cmd_id, stream, text) VALUES (@node_id, @at, @source, @cmd_id, @stream, @text)',
      )
      .run(row);
    // Trim now and then, not on every line: one DELETE per 500 inserts keeps the cost flat.
    if (++this.#sinceTrim >= 500) {
      this.#sinceTrim = 0;
      this.db
        .prepare(
          `DELETE FROM node_logs WHERE node_id = ? AND id <= (
             SELECT id FROM node_logs WHERE node_id = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        )
        .run(row.node_id, row.node_id, LOG_LINES_KEPT);
    }
  }

  /** Lines after `afterId`, oldest first; with `afterId` 0, the latest `limit` lines. */
  list(nodeId: string, afterId: number, limit: number): LogRow[] {
    if (afterId > 0) {
      return this.db
        .prepare('SELECT * FROM node_logs WHERE node_id = ? AND id > ? ORDER BY id LIMIT ?')
        .all(nodeId, afterId, limit) as LogRow[];
    }
    const rows = this.db
      .prepare('SELECT * FROM node_logs WHERE node_id = ? ORDER BY id DESC LIMIT ?')
      .all(nodeId, limit) as LogRow[];
    return rows.reverse();
  }
}
