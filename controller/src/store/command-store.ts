import type { CommandAction, CommandState } from '@osbuild/shared';
import type { Db } from './db.js';

/** An operator command as stored. Times are ISO strings. */
export interface CommandRow {
  id: string;
  node_id: string;
  action: CommandAction;
  idempotency_key: string | null;
  /** JSON of the agent command body (deadline and id are added when sent). */
  body: string;
  script: string | null;
  args: string;
  force: number;
  state: CommandState;
  reason: string;
  created_by: string;
  created_at: string;
  expires_at: string;
  timeout_sec: number;
  deadline: string | null;
  sent_at: string | null;
  acked_at: string | null;
  finished_at: string | null;
  boot_id_before: string | null;
  boot_id_after: string | null;
  deliveries: number;
  run_id: string | null;
  exit_code: number | null;
  output_tail: string;
}

/** Columns a state change may set besides state and reason. */
export type CommandUpdate = Partial<
  Pick<
    CommandRow,
    | 'deadline'
    | 'sent_at'
    | 'acked_at'
    | 'finished_at'
    | 'boot_id_before'
    | 'boot_id_after'
    | 'run_id'
    | 'exit_code'
    | 'output_tail'
  >
>;

const LIVE: readonly CommandState[] = ['queued', 'sent', 'accepted', 'running', 'rebooting', 'provisioning'];

/** Operator commands: the persistent queue and their history. */
export class CommandStore {
  constructor(private readonly db: Db) {}

  insert(row: Omit<CommandRow, 'deliveries' | 'output_tail'>): void {
    this.db
      .prepare(
        `INSERT INTO commands (id, node_id, action, idempotency_key, body, script, args, force, state, reason,
           created_by, created_at, expires_at, timeout_sec, deadline, sent_at, acked_at, finished_at,
           boot_id_before, boot_id_after, run_id, exit_code)
         VALUES (@id, @node_id, @action, @idempotency_key, @body, @script, @args, @force, @state, @reason,
           @created_by, @created_at, @expires_at, @timeout_sec, @deadline, @sent_at, @acked_at, @finished_at,
           @boot_id_before, @boot_id_after, @run_id, @exit_code)`,
      )
      .run(row);
  }

  get(id: string): CommandRow | undefined {
    return this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as CommandRow | undefined;
  }

  byIdempotencyKey(nodeId: string, key: string): CommandRow | undefined {
    return this.db
      .prepare('SELECT * FROM commands WHERE node_id = ? AND idempotency_key = ?')
      .get(nodeId, key) as CommandRow | undefined;
  }

  /** Newest first. */
  list(opts: { nodeId?: string; limit: number }): CommandRow[] {
    if (opts.nodeId !== undefined) {
      return this.db
        .prepare('SELECT * FROM commands WHERE node_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(opts.nodeId, opts.limit) as CommandRow[];
    }
    return this.db
      .prepare('SELECT * FROM commands ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(opts.limit) as CommandRow[];
  }

  /** Commands not yet finished, oldest first; of one node when given. */
  live(nodeId?: string): CommandRow[] {
    const marks = LIVE.map(() => '?').join(',');
    const byNode = nodeId === undefined ? '' : 'AND node_id = ?';
    const args: string[] = [...LIVE, ...(nodeId === undefined ? [] : [nodeId])];
    return this.db
      .prepare(`SELECT * FROM commands WHERE state IN (${marks}) ${byNode} ORDER BY created_at, rowid`)
      .all(...args) as CommandRow[];
  }

  setState(id: string, state: CommandState, reason: string, extra: CommandUpdate = {}): void {
    const sets = Object.keys(extra)
      .map((k) => `${k} = @${k}`)
      .join(', ');
    this.db
      .prepare(
        `UPDATE commands SET state = @state, reason = @reason${sets ? `, ${sets}` : ''} WHERE id = @id`,
      )
      .run({ id, state, reason, ...extra });
  }

  /** After a controller restart: live commands whose deadline is before `min` get `min`. */
  extendDeadlines(min: string): number {
    const marks = LIVE.map(() => '?').join(',');
    return this.db
      .prepare(
        `UPDATE commands SET deadline = ? WHERE deadline IS NOT NULL AND deadline < ? AND state IN (${marks})`,
      )
      .run(min, min, ...LIVE).changes;
  }

  countDelivery(id: string): void {
    this.db.prepare('UPDATE commands SET deliveries = deliveries + 1 WHERE id = ?').run(id);
  }
}

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
