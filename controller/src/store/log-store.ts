import type { Db } from './db.js';
import { capHeadBytes, capString, LOG_CMD_ID_MAX, LOG_TEXT_MAX_BYTES } from './input-caps.js';
import type { NodeQuotaEnforcer } from './node-quota.js';

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

/**
 * Output of commands and steps, and the agent's own log lines, per node. Each node keeps at most
 * its quota (node-quota.ts: lines and bytes); its oldest lines go first.
 */
export class LogStore {
  constructor(
    private readonly db: Db,
    private readonly quota?: NodeQuotaEnforcer,
  ) {}

  /** The text and command id are capped (input-caps.ts): both come from the node. */
  append(row: Omit<LogRow, 'id'>): void {
    this.db
      .prepare(
        'INSERT INTO node_logs (node_id, at, source, cmd_id, stream, text) VALUES (@node_id, @at, @source, @cmd_id, @stream, @text)',
      )
      .run({
        ...row,
        cmd_id: row.cmd_id === null ? null : capString(row.cmd_id, LOG_CMD_ID_MAX),
        text: capHeadBytes(row.text, LOG_TEXT_MAX_BYTES),
      });
    this.quota?.afterLogInsert(row.node_id);
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
