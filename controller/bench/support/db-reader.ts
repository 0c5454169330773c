// Read-only access to the controller's SQLite file from the benchmark process (WAL mode lets a
// reader in another process look while the controller writes), for what the controller recorded
// and when: telemetry receipt times, node online flags, lifecycle events.
import Database from 'better-sqlite3';

/** A read-only view of a controller database. */
export interface DbReader {
  telemetry(): { nodeId: string; atMs: number; receivedMs: number }[];
  online(): Map<string, boolean>;
  phaseCounts(): Record<string, number>;
  events(types: readonly string[]): { nodeId: string; type: string; atMs: number; data: string }[];
  close(): void;
}

export function openDbReader(file: string): DbReader {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  return {
    telemetry: () =>
      (
        db.prepare('SELECT node_id, at, received_at FROM telemetry').all() as {
          node_id: string;
          at: string;
          received_at: string;
        }[]
      ).map((r) => ({ nodeId: r.node_id, atMs: Date.parse(r.at), receivedMs: Date.parse(r.received_at) })),
    online: () =>
      new Map(
        (db.prepare('SELECT node_id, online FROM nodes').all() as { node_id: string; online: number }[]).map(
          (r) => [r.node_id, r.online === 1],
        ),
      ),
    phaseCounts: () =>
      Object.fromEntries(
        (
          db.prepare('SELECT phase, COUNT(*) AS n FROM nodes GROUP BY phase').all() as {
            phase: string;
            n: number;
          }[]
        ).map((r) => [r.phase, r.n]),
      ),
    events: (types) =>
      (
        db
          .prepare(
            `SELECT node_id, type, at, data FROM events WHERE type IN (${types.map(() => '?').join(',')}) ORDER BY id`,
          )
          .all(...types) as { node_id: string; type: string; at: string; data: string }[]
      ).map((r) => ({
        nodeId: r.node_id,
        type: r.type,
        atMs: Date.parse(r.at),
        data: r.data,
      })),
    close: () => db.close(),
  };
}
