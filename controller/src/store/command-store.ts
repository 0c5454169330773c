import {
  type CommandAction,
  type CommandBody,
  type CommandState,
  commandAction,
  commandSchema,
  commandState,
  isTerminalCommandState,
} from '@osbuild/shared';
import { z } from 'zod';
import type { Db } from './db.js';
import {
  capString,
  capTailBytes,
  ERROR_TEXT_MAX,
  EVENT_STRING_MAX,
  OUTPUT_TAIL_MAX_BYTES,
} from './input-caps.js';

/**
 * An operator command as the rest of the controller sees it: the stored row with its JSON columns
 * parsed (and validated) and its flags as booleans. Times are ISO strings; the column names are
 * the table's.
 */
export interface CommandRecord {
  id: string;
  node_id: string;
  action: CommandAction;
  idempotency_key: string | null;
  /** The agent command body (deadline and id are added when sent). */
  body: CommandBody;
  script: string | null;
  args: string[];
  force: boolean;
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

/** A command about to be stored: every column but the counters that start empty. */
export type NewCommandRecord = Omit<CommandRecord, 'deliveries' | 'output_tail'>;

/** Columns a state change may set besides state and reason. */
export type CommandUpdate = Partial<
  Pick<
    CommandRecord,
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

/** The row as SQLite holds it: JSON text and 0/1. */
const storedCommand = z.object({
  id: z.string(),
  node_id: z.string(),
  action: commandAction,
  idempotency_key: z.string().nullable(),
  body: z.string(),
  script: z.string().nullable(),
  args: z.string(),
  force: z.number().int(),
  state: commandState,
  reason: z.string(),
  created_by: z.string(),
  created_at: z.string(),
  expires_at: z.string(),
  timeout_sec: z.number().int(),
  deadline: z.string().nullable(),
  sent_at: z.string().nullable(),
  acked_at: z.string().nullable(),
  finished_at: z.string().nullable(),
  boot_id_before: z.string().nullable(),
  boot_id_after: z.string().nullable(),
  deliveries: z.number().int(),
  run_id: z.string().nullable(),
  exit_code: z.number().int().nullable(),
  output_tail: z.string(),
});

const commandBody = commandSchema.shape.body;
const commandArgs = z.array(z.string());

/** Parse a stored row; a row that does not match the schema is a corrupt store, not a user error. */
function toRecord(row: unknown): CommandRecord {
  const stored = storedCommand.parse(row);
  return {
    ...stored,
    body: commandBody.parse(JSON.parse(stored.body)),
    args: commandArgs.parse(JSON.parse(stored.args)),
    force: stored.force === 1,
  };
}

/** A state change's node-reported columns (output tail, boot ids) within the store's caps. */
function capUpdate(extra: CommandUpdate): CommandUpdate {
  const capped = { ...extra };
  if (capped.output_tail !== undefined)
    capped.output_tail = capTailBytes(capped.output_tail, OUTPUT_TAIL_MAX_BYTES);
  for (const k of ['boot_id_before', 'boot_id_after'] as const) {
    const v = capped[k];
    if (typeof v === 'string') capped[k] = capString(v, EVENT_STRING_MAX);
  }
  return capped;
}

/** States of commands not yet finished (waiting, being prepared, or with the node): every non-terminal one. */
const LIVE: readonly CommandState[] = commandState.options.filter((s) => !isTerminalCommandState(s));

/** Operator commands: the persistent queue and their history. */
export class CommandStore {
  constructor(private readonly db: Db) {}

  insert(record: NewCommandRecord): void {
    this.db
      .prepare(
        `INSERT INTO commands (id, node_id, action, idempotency_key, body, script, args, force, state, reason,
           created_by, created_at, expires_at, timeout_sec, deadline, sent_at, acked_at, finished_at,
           boot_id_before, boot_id_after, run_id, exit_code)
         VALUES (@id, @node_id, @action, @idempotency_key, @body, @script, @args, @force, @state, @reason,
           @created_by, @created_at, @expires_at, @timeout_sec, @deadline, @sent_at, @acked_at, @finished_at,
           @boot_id_before, @boot_id_after, @run_id, @exit_code)`,
      )
      .run({
        ...record,
        body: JSON.stringify(record.body),
        args: JSON.stringify(record.args),
        force: record.force ? 1 : 0,
      });
  }

  get(id: string): CommandRecord | undefined {
    const row = this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  byIdempotencyKey(nodeId: string, key: string): CommandRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM commands WHERE node_id = ? AND idempotency_key = ?')
      .get(nodeId, key);
    return row === undefined ? undefined : toRecord(row);
  }

  /** Newest first. */
  list(opts: { nodeId?: string; limit: number }): CommandRecord[] {
    if (opts.nodeId !== undefined) {
      return this.db
        .prepare('SELECT * FROM commands WHERE node_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?')
        .all(opts.nodeId, opts.limit)
        .map(toRecord);
    }
    return this.db
      .prepare('SELECT * FROM commands ORDER BY created_at DESC, rowid DESC LIMIT ?')
      .all(opts.limit)
      .map(toRecord);
  }

  /** Commands not yet finished, oldest first; of one node when given. */
  live(nodeId?: string): CommandRecord[] {
    const marks = LIVE.map(() => '?').join(',');
    const byNode = nodeId === undefined ? '' : 'AND node_id = ?';
    const args: string[] = [...LIVE, ...(nodeId === undefined ? [] : [nodeId])];
    return this.db
      .prepare(`SELECT * FROM commands WHERE state IN (${marks}) ${byNode} ORDER BY created_at, rowid`)
      .all(...args)
      .map(toRecord);
  }

  /** Only lifecycle/command-state.ts calls this: it checks the transition first. */
  setState(id: string, state: CommandState, reason: string, extra: CommandUpdate = {}): void {
    extra = capUpdate(extra);
    const sets = Object.keys(extra)
      .map((k) => `${k} = @${k}`)
      .join(', ');
    this.db
      .prepare(
        `UPDATE commands SET state = @state, reason = @reason${sets ? `, ${sets}` : ''} WHERE id = @id`,
      )
      .run({ id, state, reason: capString(reason, ERROR_TEXT_MAX), ...extra });
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
