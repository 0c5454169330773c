import type { Db } from './db.js';
import { eventRowBytesSql, logRowBytesSql } from './row-bytes.js';

/**
 * What one node may keep in the store. Accounted bytes are a row's text plus a fixed overhead
 * (row-bytes.ts). Past a limit the node's oldest rows of that table are deleted, down to 90 % of
 * it, so the newest output and events are what an operator finds; the deletions are counted.
 */
export interface NodeQuota {
  /** Accounted bytes of the node's log lines (`node_logs`). */
  logBytes: number;
  /** Log lines of the node. */
  logLines: number;
  /** Accounted bytes of the node's events. */
  eventBytes: number;
}

/** The store's default quota (the controller's is in server/controller-options.ts, the same). */
export const DEFAULT_NODE_QUOTA: NodeQuota = {
  logBytes: 1024 * 1024,
  logLines: 5_000,
  eventBytes: 256 * 1024,
};

/** What one node holds, as node_usage keeps it. */
export interface NodeUsage {
  nodeId: string;
  logRows: number;
  logBytes: number;
  eventRows: number;
  eventBytes: number;
}

/** A node over a limit is trimmed to this share of it: one trim per tenth of the quota, not per row. */
const TRIM_TO = 0.9;
/** Most oldest rows looked at per trim, so one insert never deletes without bound. */
const TRIM_SCAN_ROWS = 1_000;
/** Rows looked at beyond the expected tenth, for rows of uneven size. */
const TRIM_SCAN_SLACK = 32;

const TABLES = {
  logs: { table: 'node_logs', bytes: logRowBytesSql('node_logs') },
  events: { table: 'events', bytes: eventRowBytesSql('events') },
} as const;

/** Rows deleted because a node was over its quota, by table. */
export type QuotaDeletions = Record<keyof typeof TABLES, number>;

/** Keeps each node within its {@link NodeQuota}; the log and event stores call it after each insert. */
export class NodeQuotaEnforcer {
  readonly #deleted: QuotaDeletions = { logs: 0, events: 0 };

  constructor(
    private readonly db: Db,
    readonly quota: NodeQuota,
  ) {}

  /** Rows deleted over quota since the store was opened. */
  deleted(): QuotaDeletions {
    return { ...this.#deleted };
  }

  usage(nodeId: string): NodeUsage | undefined {
    const row = this.db
      .prepare(
        `SELECT node_id AS nodeId, log_rows AS logRows, log_bytes AS logBytes, event_rows AS eventRows,
           event_bytes AS eventBytes FROM node_usage WHERE node_id = ?`,
      )
      .get(nodeId) as NodeUsage | undefined;
    return row;
  }

  /** Accounted rows and bytes over every node. */
  totals(): Omit<NodeUsage, 'nodeId'> & { nodes: number } {
    return this.db
      .prepare(
        `SELECT count(*) AS nodes, coalesce(sum(log_rows), 0) AS logRows, coalesce(sum(log_bytes), 0) AS logBytes,
           coalesce(sum(event_rows), 0) AS eventRows, coalesce(sum(event_bytes), 0) AS eventBytes
         FROM node_usage`,
      )
      .get() as Omit<NodeUsage, 'nodeId'> & { nodes: number };
  }

  afterLogInsert(nodeId: string): void {
    const u = this.usage(nodeId);
    if (!u || (u.logRows <= this.quota.logLines && u.logBytes <= this.quota.logBytes)) return;
    this.#trim('logs', nodeId, u.logRows, u.logBytes, this.quota.logLines, this.quota.logBytes);
  }

  afterEventInsert(nodeId: string): void {
    const u = this.usage(nodeId);
    if (!u || u.eventBytes <= this.quota.eventBytes) return;
    this.#trim('events', nodeId, u.eventRows, u.eventBytes, Number.POSITIVE_INFINITY, this.quota.eventBytes);
  }

  /** Delete the node's oldest rows until it is at 90 % of both limits (or the scan is used up). */
  #trim(
    which: keyof typeof TABLES,
    nodeId: string,
    rows: number,
    bytes: number,
    maxRows: number,
    maxBytes: number,
  ): void {
    const { table, bytes: rowBytes } = TABLES[which];
    // About a tenth of the rows go per trim: read that many, not a fixed thousand, each time.
    const scan = Math.min(TRIM_SCAN_ROWS, Math.ceil(rows * (1 - TRIM_TO)) + TRIM_SCAN_SLACK);
    const oldest = this.db
      .prepare(`SELECT id, ${rowBytes} AS bytes FROM ${table} WHERE node_id = ? ORDER BY id LIMIT ?`)
      .all(nodeId, scan) as { id: number; bytes: number }[];
    const targetRows = Math.floor(maxRows * TRIM_TO);
    const targetBytes = Math.floor(maxBytes * TRIM_TO);
    let lastId: number | undefined;
    let n = 0;
    for (const row of oldest) {
      if (rows - n <= targetRows && bytes <= targetBytes) break;
      bytes -= row.bytes;
      n += 1;
      lastId = row.id;
    }
    if (lastId === undefined) return;
    this.db.prepare(`DELETE FROM ${table} WHERE node_id = ? AND id <= ?`).run(nodeId, lastId);
    this.#deleted[which] += n;
  }
}
