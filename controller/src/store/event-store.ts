import type { Db } from './db.js';

/** A stored event. */
export interface EventRow {
  id: number;
  node_id: string | null;
  at: string;
  type: string;
  data: string;
}

/** Append-only event log (phase changes, step outcomes, rejected messages). */
export class EventStore {
  constructor(private readonly db: Db) {}

  append(nodeId: string | null, type: string, data: Record<string, unknown>, now: string): void {
    this.db
      .prepare('INSERT INTO events (node_id, at, type, data) VALUES (?, ?, ?, ?)')
      .run(nodeId, now, type, JSON.stringify(data));
  }

  forNode(nodeId: string, limit = 100): EventRow[] {
    return this.db
      .prepare('SELECT * FROM events WHERE node_id = ? ORDER BY id DESC LIMIT ?')
      .all(nodeId, limit) as EventRow[];
  }
}
