import type { Db } from './db.js';
import { capEventData } from './input-caps.js';
import type { NodeQuotaEnforcer } from './node-quota.js';

/** A stored event. */
export interface EventRow {
  id: number;
  node_id: string | null;
  at: string;
  type: string;
  data: string;
}

/**
 * The event log (phase changes, step outcomes, ignored results), appended to and never edited;
 * old events go by retention (retention-store.ts) and a node's oldest past its quota.
 */
export class EventStore {
  constructor(
    private readonly db: Db,
    private readonly quota?: NodeQuotaEnforcer,
  ) {}

  /** Strings in `data` are capped (input-caps.ts): much of it comes from what nodes sent. */
  append(nodeId: string | null, type: string, data: Record<string, unknown>, now: string): void {
    this.db
      .prepare('INSERT INTO events (node_id, at, type, data) VALUES (?, ?, ?, ?)')
      .run(nodeId, now, type, capEventData(data));
    if (nodeId !== null) this.quota?.afterEventInsert(nodeId);
  }

  /** Events after `afterId`, oldest first; with `afterId` 0, the latest `limit` events. */
  list(opts: { nodeId?: string; afterId: number; limit: number }): EventRow[] {
    const where = opts.nodeId === undefined ? '' : 'AND node_id = @nodeId';
    if (opts.afterId > 0) {
      return this.db
        .prepare(`SELECT * FROM events WHERE id > @afterId ${where} ORDER BY id LIMIT @limit`)
        .all({ ...opts }) as EventRow[];
    }
    const rows = this.db
      .prepare(`SELECT * FROM events WHERE 1 = 1 ${where} ORDER BY id DESC LIMIT @limit`)
      .all({ ...opts }) as EventRow[];
    return rows.reverse();
  }

  forNode(nodeId: string, limit = 100): EventRow[] {
    return this.db
      .prepare('SELECT * FROM events WHERE node_id = ? ORDER BY id DESC LIMIT ?')
      .all(nodeId, limit) as EventRow[];
  }
}
