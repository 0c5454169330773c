// One line of the audit log: its shape, its hash, its exact bytes on disk, and the checks that tie
// it to the line before. Pure, so the writer, the reader and `verify` share one definition.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';

/** Outcome of an audited action. */
export const AUDIT_RESULTS = ['ok', 'refused', 'error'] as const;
/** One of {@link AUDIT_RESULTS}. */
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** `prev` of the first line. */
export const GENESIS_HASH = '0'.repeat(64);

/** One line of the log, as written. */
export interface AuditRecord {
  /** 1 for the first line, then +1 per line. */
  seq: number;
  /** ISO 8601 UTC time of the append. */
  at: string;
  actor: string;
  action: string;
  target?: string;
  result: AuditResult;
  detail?: Record<string, unknown>;
  /** `hash` of the previous line, {@link GENESIS_HASH} for the first. */
  prev: string;
  /** Hex SHA-256 of the canonical JSON of this record without `hash`. */
  hash: string;
}

/** Hex SHA-256 of the canonical JSON of `record` without its `hash`. */
export function hashRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }): string {
  const { hash: _ignored, ...rest } = record;
  return createHash('sha256').update(canonicalJson(rest), 'utf8').digest('hex');
}

/**
 * The line as written (without the newline): fields in reading order, `detail` canonical, no
 * whitespace. The order is fixed, so a line can be checked byte for byte after parsing.
 */
export function serializeRecord(r: AuditRecord): string {
  const parts = [
    `"seq":${r.seq}`,
    `"at":${JSON.stringify(r.at)}`,
    `"actor":${JSON.stringify(r.actor)}`,
    `"action":${JSON.stringify(r.action)}`,
    ...(r.target !== undefined ? [`"target":${JSON.stringify(r.target)}`] : []),
    `"result":${JSON.stringify(r.result)}`,
    ...(r.detail !== undefined ? [`"detail":${canonicalJson(r.detail)}`] : []),
    `"prev":${JSON.stringify(r.prev)}`,
    `"hash":${JSON.stringify(r.hash)}`,
  ];
  return `{${parts.join(',')}}`;
}

/** A parsed line, or what is wrong with it. */
export type ParsedLine = { ok: true; record: AuditRecord } | { ok: false; problem: string };

const FIELDS = new Set(['seq', 'at', 'actor', 'action', 'target', 'result', 'detail', 'prev', 'hash']);
const HEX64 = /^[0-9a-f]{64}$/;

/** Parse one line (without its newline) and check its shape; does not check hashes. */
export function parseRecordLine(line: string): ParsedLine {
  if (line === '') return { ok: false, problem: 'empty line' };
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, problem: 'not valid JSON' };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, problem: 'not a JSON object' };
  }
  const o = json as Record<string, unknown>;
  const extra = Object.keys(o).find((k) => !FIELDS.has(k));
  if (extra !== undefined) return { ok: false, problem: `unexpected field ${JSON.stringify(extra)}` };
  const bad = (field: string, want: string): ParsedLine => ({
    ok: false,
    problem: `field ${field} is missing or not ${want}`,
  });
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) return bad('seq', 'a positive integer');
  for (const f of ['at', 'actor', 'action'] as const) if (typeof o[f] !== 'string') return bad(f, 'a string');
  if (o.target !== undefined && typeof o.target !== 'string') return bad('target', 'a string');
  if (!AUDIT_RESULTS.includes(o.result as AuditResult)) return bad('result', AUDIT_RESULTS.join('|'));
  if (
    o.detail !== undefined &&
    (o.detail === null || typeof o.detail !== 'object' || Array.isArray(o.detail))
  ) {
    return bad('detail', 'an object');
  }
  if (typeof o.prev !== 'string' || !HEX64.test(o.prev)) return bad('prev', '64 hex digits');
  if (typeof o.hash !== 'string' || !HEX64.test(o.hash)) return bad('hash', '64 hex digits');
  return { ok: true, record: o as unknown as AuditRecord };
}

/**
 * What is wrong with `record` on its own: its hash, and whether `bytes` are exactly how the writer
 * would have written it (so an edit that leaves the parsed value equal, e.g. added whitespace, is
 * still caught). Undefined when intact.
 */
export function recordProblem(record: AuditRecord, bytes: Buffer): string | undefined {
  if (hashRecord(record) !== record.hash) return 'hash mismatch (content edited)';
  if (!Buffer.from(serializeRecord(record), 'utf8').equals(bytes)) {
    return 'bytes differ from the canonical form (line edited)';
  }
  return undefined;
}

/**
 * What is wrong with the link from the line before (`previous`, undefined for line 1) to `record`
 * at 1-based `line`. Undefined when intact.
 */
export function linkProblem(
  record: AuditRecord,
  previous: AuditRecord | undefined,
  line: number,
): string | undefined {
  if (previous === undefined) {
    if (record.seq !== 1)
      return `seq ${record.seq} at the first line, expected 1 (lines removed or reordered)`;
    if (record.prev !== GENESIS_HASH) return 'prev of the first line is not 64 zeros (lines removed)';
    return undefined;
  }
  if (record.seq !== previous.seq + 1) {
    return `seq ${record.seq} follows ${previous.seq} (line removed or reordered)`;
  }
  if (record.prev !== previous.hash) return `prev does not match line ${line - 1}'s hash`;
  return undefined;
}
