import { type Telemetry, telemetrySchema } from '@osbuild/shared';
import type { Db } from './db.js';

/** The latest telemetry sample of each node. */
export class TelemetryStore {
  constructor(private readonly db: Db) {}

  /** Replace the node's sample; `receivedAt` is our clock, `sample.at` the node's. */
  put(nodeId: string, sample: Telemetry, receivedAt: string): void {
    this.db
      .prepare(
        `INSERT INTO telemetry (node_id, at, received_at, data) VALUES (?, ?, ?, ?)
         ON CONFLICT(node_id) DO UPDATE SET at=excluded.at, received_at=excluded.received_at, data=excluded.data`,
      )
      .run(nodeId, sample.at, receivedAt, JSON.stringify(sample));
  }

  /** Every node's latest sample by node id (for scrape-time metrics); unreadable rows are left out. */
  all(): Map<string, Telemetry> {
    const rows = this.db.prepare('SELECT node_id, data FROM telemetry').all() as {
      node_id: string;
      data: string;
    }[];
    const out = new Map<string, Telemetry>();
    for (const row of rows) {
      const sample = decode(row.data);
      if (sample) out.set(row.node_id, sample);
    }
    return out;
  }

  /** Every node's latest sample with the time we received it; unreadable rows are left out. */
  allReceived(): Map<string, { sample: Telemetry; receivedAt: string }> {
    const rows = this.db.prepare('SELECT node_id, data, received_at FROM telemetry').all() as {
      node_id: string;
      data: string;
      received_at: string;
    }[];
    const out = new Map<string, { sample: Telemetry; receivedAt: string }>();
    for (const row of rows) {
      const sample = decode(row.data);
      if (sample) out.set(row.node_id, { sample, receivedAt: row.received_at });
    }
    return out;
  }

  /** The node's latest sample with the time we received it (our clock), or null. */
  latestReceived(nodeId: string): { sample: Telemetry; receivedAt: string } | null {
    const row = this.db.prepare('SELECT data, received_at FROM telemetry WHERE node_id = ?').get(nodeId) as
      | { data: string; received_at: string }
      | undefined;
    const sample = row ? decode(row.data) : null;
    return row && sample ? { sample, receivedAt: row.received_at } : null;
  }

  /**
   * The node's latest sample, or null. Re-checked against the schema: a row written by an older
   * controller whose schema has since changed reads as "no telemetry" until the next sample.
   */
  latest(nodeId: string): Telemetry | null {
    const row = this.db.prepare('SELECT data FROM telemetry WHERE node_id = ?').get(nodeId) as
      | { data: string }
      | undefined;
    return row ? decode(row.data) : null;
  }
}

function decode(data: string): Telemetry | null {
  try {
    const parsed = telemetrySchema.safeParse(JSON.parse(data));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
