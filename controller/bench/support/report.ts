import { renderTable } from '../../src/cli/output/table.js';

/** One result line of a suite: column -> value (null prints as `-`). */
export type Row = Record<string, string | number | null>;

/** A suite's results with the notes a reader needs to interpret them. */
export interface SuiteResult {
  suite: string;
  rows: Row[];
  notes: string[];
}

/** Rows as an aligned table (the union of their columns, in first-seen order). */
export function formatRows(rows: readonly Row[]): string {
  const headers = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return renderTable(
    headers,
    rows.map((r) => headers.map((h) => (r[h] === null || r[h] === undefined ? '-' : String(r[h])))),
  );
}
