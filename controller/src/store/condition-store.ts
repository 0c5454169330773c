import type { Db } from './db.js';

/** A health condition last reported for a node (what `condition-raised` said). */
export interface HeldCondition {
  node_id: string;
  type: string;
  severity: string;
  reason: string;
  since: string;
}

/** The conditions last reported per node, so a restart does not repeat their events. */
export class ConditionStore {
  constructor(private readonly db: Db) {}

  ofNode(nodeId: string): HeldCondition[] {
    return this.db
      .prepare('SELECT node_id, type, severity, reason, since FROM node_conditions WHERE node_id = ?')
      .all(nodeId) as HeldCondition[];
  }

  /** Every node's, grouped by node: one query for a pass over the whole fleet. */
  byNode(): Map<string, HeldCondition[]> {
    const out = new Map<string, HeldCondition[]>();
    const all = this.db
      .prepare('SELECT node_id, type, severity, reason, since FROM node_conditions')
      .all() as HeldCondition[];
    for (const h of all) {
      const list = out.get(h.node_id);
      if (list) list.push(h);
      else out.set(h.node_id, [h]);
    }
    return out;
  }

  /** Raise (or change the severity of) a condition; `since` is kept from the first report. */
  hold(c: HeldCondition): void {
    this.db
      .prepare(
        `INSERT INTO node_conditions (node_id, type, severity, reason, since) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(node_id, type) DO UPDATE SET severity = excluded.severity, reason = excluded.reason`,
      )
      .run(c.node_id, c.type, c.severity, c.reason, c.since);
  }

  clear(nodeId: string, type: string): void {
    this.db.prepare('DELETE FROM node_conditions WHERE node_id = ? AND type = ?').run(nodeId, type);
  }
}
