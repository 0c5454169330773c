// What a stored row of node input costs in the per-node accounting (node_usage, node-quota.ts):
// its UTF-8 text plus a fixed overhead for the row itself (id, node id, time, small columns and
// its index entry), so a flood of one-byte lines counts for what it really takes on disk.
// Migration 5 (db.ts) builds its triggers from these expressions: never change them, add a
// migration that redefines the triggers instead.

/** Bytes every accounted row costs besides its text. */
export const ROW_OVERHEAD_BYTES = 128;

/** Accounted bytes of a `node_logs` row named `r` (`NEW`, `OLD`, a table alias). */
export function logRowBytesSql(r: string): string {
  return `(length(CAST(${r}.text AS BLOB)) + length(coalesce(${r}.cmd_id, '')) + ${ROW_OVERHEAD_BYTES})`;
}

/** Accounted bytes of an `events` row named `r`. */
export function eventRowBytesSql(r: string): string {
  return `(length(CAST(${r}.data AS BLOB)) + length(${r}.type) + ${ROW_OVERHEAD_BYTES})`;
}
