// The controller's append-only, hash-chained audit log: one JSON line per operator action, secret
// issued or revoked, approval, conflict and refused login, in `<dataDir>/audit.log`. Each line
// carries the hash of the one before, so `verifyAuditLog` finds any edited, removed, inserted or
// reordered line without trusting the controller (it reads the file directly).
import { mkdir, open } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InternalError, OsbuildError } from '@osbuild/shared';
import { capField, capRecord, ID_MAX_BYTES } from '../logging/cap-fields.js';
import {
  AUDIT_RESULTS,
  type AuditRecord,
  type AuditResult,
  GENESIS_HASH,
  hashRecord,
  linkProblem,
  parseRecordLine,
  recordProblem,
  serializeRecord,
} from './audit-record.js';
import { canonicalJson } from './canonical-json.js';
import { readLastLine, readLines } from './read-lines.js';
import { assertNoSecrets } from './secrets-guard.js';

export {
  AUDIT_RESULTS,
  type AuditRecord,
  type AuditResult,
  GENESIS_HASH,
  hashRecord,
} from './audit-record.js';
export { AuditSecretError, assertNoSecrets } from './secrets-guard.js';

/** File name of the log inside the controller's data dir. */
export const AUDIT_LOG_FILE = 'audit.log';

/** `<dataDir>/audit.log`. */
export function auditLogPath(dataDir: string): string {
  return join(dataDir, AUDIT_LOG_FILE);
}

/** What a caller records; the log adds `seq`, `at`, `prev` and `hash`. */
export interface AuditEntryInput {
  /** Who: an operator username, `node:<nodeId>`, or `controller` for its own decisions. */
  actor: string;
  /** What, dotted and stable: `nodes.approve`, `credential.issue`, `login.refused`. */
  action: string;
  /** What it was done to, e.g. a node id. */
  target?: string;
  result: AuditResult;
  /** Extra facts; JSON only, and never a secret (see {@link assertNoSecrets}). */
  detail?: Record<string, unknown>;
}

/** An open log. Appends are serialised in call order; lines never interleave. */
export interface AuditLog {
  /** Resolves once the line has been written (not fsynced). */
  append(e: AuditEntryInput): Promise<AuditRecord>;
  /** Waits for pending appends, then closes the file. */
  close(): Promise<void>;
}

/** Result of {@link verifyAuditLog}. */
export type AuditVerifyResult =
  | { ok: true; entries: number; lastHash: string }
  | { ok: false; line: number; problem: string };

/** The log on disk is not what the controller wrote: it refuses to read or extend it. */
export class AuditLogBrokenError extends OsbuildError {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly problem: string,
  ) {
    super('audit-log-broken', `audit log ${file} broken at line ${line}: ${problem}`);
  }
}

const TRUNCATED = 'truncated (the last line has no newline)';

/**
 * Open (creating it 0600, and its directory 0700) the log in append mode and continue its chain
 * from the last line. A last line that is truncated, unparsable or fails its own hash throws
 * {@link AuditLogBrokenError}: appending after it would bury the damage. Earlier lines are not
 * re-read here (that is {@link verifyAuditLog}'s job), so opening stays O(1) in the log's size.
 * One process appends to a file at a time.
 */
export async function openAuditLog(file: string, clock: { now(): Date }): Promise<AuditLog> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  // a+: writes always go to the end (O_APPEND); reads at explicit positions find the tail.
  const handle = await open(file, 'a+', 0o600);
  let last: AuditRecord | undefined;
  try {
    last = await lastRecord(file, await readLastLine(handle));
  } catch (err) {
    await handle.close();
    throw err;
  }
  let seq = last?.seq ?? 0;
  let prev = last?.hash ?? GENESIS_HASH;
  let queue: Promise<unknown> = Promise.resolve();
  let failure: Error | undefined;
  let closing: Promise<void> | undefined;

  const write = async (entry: Prepared): Promise<AuditRecord> => {
    if (failure) throw failure;
    const body: Omit<AuditRecord, 'hash'> = { seq: seq + 1, at: clock.now().toISOString(), ...entry, prev };
    const record: AuditRecord = { ...body, hash: hashRecord(body) };
    const bytes = Buffer.from(`${serializeRecord(record)}\n`, 'utf8');
    try {
      // One write(2) per line under O_APPEND, so a line is never split by another write.
      const { bytesWritten } = await handle.write(bytes);
      if (bytesWritten !== bytes.length) {
        throw new Error(`short write: ${bytesWritten} of ${bytes.length} bytes`);
      }
    } catch (err) {
      // Part of the line may be on disk: stop, rather than chain onto a line nobody can verify.
      failure = new InternalError(
        'audit-write-failed',
        `audit log ${file}: write failed, refusing further appends`,
        {
          cause: err,
        },
      );
      throw failure;
    }
    seq = record.seq;
    prev = record.hash;
    return record;
  };

  return {
    append(e) {
      if (closing)
        return Promise.reject(new InternalError('audit-log-closed', `audit log ${file} is closed`));
      let entry: Prepared;
      try {
        entry = prepare(e);
      } catch (err) {
        return Promise.reject(err);
      }
      const done = queue.then(() => write(entry));
      queue = done.catch(() => undefined);
      return done;
    },
    close() {
      closing ??= queue.then(() => handle.close());
      return closing;
    },
  };
}

/**
 * Every record, oldest first. Throws {@link AuditLogBrokenError} for a line that is not a record
 * (bad JSON, wrong shape, truncated); hashes and links are not checked, use {@link verifyAuditLog}.
 * A missing file rejects with the ENOENT error.
 */
export async function readAuditLog(file: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const { line, bytes, terminated } of readLines(file)) {
    if (!terminated) throw new AuditLogBrokenError(file, line, TRUNCATED);
    const parsed = parseRecordLine(bytes.toString('utf8'));
    if (!parsed.ok) throw new AuditLogBrokenError(file, line, parsed.problem);
    records.push(parsed.record);
  }
  return records;
}

/**
 * Check every line and every link, stopping at the first problem: an edited byte (hash or exact
 * bytes), a removed, inserted or reordered line (seq and prev), a truncated last line, a line that
 * is not a record. An empty file is intact with 0 entries. Removing whole lines from the end cannot
 * be seen from the file alone: compare `lastHash` with a copy kept elsewhere (docs/audit.md).
 * A missing file rejects with the ENOENT error.
 */
export async function verifyAuditLog(file: string): Promise<AuditVerifyResult> {
  let previous: AuditRecord | undefined;
  let entries = 0;
  for await (const { line, bytes, terminated } of readLines(file)) {
    if (!terminated) return { ok: false, line, problem: TRUNCATED };
    const parsed = parseRecordLine(bytes.toString('utf8'));
    if (!parsed.ok) return { ok: false, line, problem: parsed.problem };
    const problem = recordProblem(parsed.record, bytes) ?? linkProblem(parsed.record, previous, line);
    if (problem !== undefined) return { ok: false, line, problem };
    previous = parsed.record;
    entries = line;
  }
  return { ok: true, entries, lastHash: previous?.hash ?? GENESIS_HASH };
}

type Prepared = Pick<AuditRecord, 'actor' | 'action' | 'target' | 'result' | 'detail'>;

/** Validate before queueing, so a refused entry never takes a seq. */
function prepare(e: AuditEntryInput): Prepared {
  if (typeof e.actor !== 'string' || e.actor === '') throw new TypeError('audit entry: actor is required');
  if (typeof e.action !== 'string' || e.action === '') throw new TypeError('audit entry: action is required');
  if (!AUDIT_RESULTS.includes(e.result))
    throw new TypeError(`audit entry: result must be ${AUDIT_RESULTS.join('|')}`);
  if (e.target !== undefined && typeof e.target !== 'string')
    throw new TypeError('audit entry: target must be a string');
  let detail: Record<string, unknown> | undefined;
  if (e.detail !== undefined) {
    assertNoSecrets(e.detail);
    // A JSON copy: the record returned is exactly what a reader gets back, and later mutation of
    // the caller's object cannot change what was hashed.
    detail = JSON.parse(canonicalJson(e.detail, 'detail')) as Record<string, unknown>;
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      throw new TypeError('audit entry: detail must be an object');
    }
    detail = capRecord(detail);
  }
  // Actors and targets are often what a client offered (a refused login's username, an rpc's
  // `name` param): every field is cut to a size here, whatever the caller did (docs/audit.md).
  return {
    actor: capField(e.actor, ID_MAX_BYTES),
    action: capField(e.action, ID_MAX_BYTES),
    ...(e.target !== undefined ? { target: capField(e.target, ID_MAX_BYTES) } : {}),
    result: e.result,
    ...(detail !== undefined ? { detail } : {}),
  };
}

/** The last record, checked on its own; undefined for an empty log. */
async function lastRecord(
  file: string,
  raw: Awaited<ReturnType<typeof readLastLine>>,
): Promise<AuditRecord | undefined> {
  if (raw === undefined) return undefined;
  const parsed = raw.terminated ? parseRecordLine(raw.bytes.toString('utf8')) : undefined;
  const problem =
    parsed === undefined ? TRUNCATED : parsed.ok ? recordProblem(parsed.record, raw.bytes) : parsed.problem;
  if (problem === undefined && parsed?.ok) return parsed.record;
  // Rare path: read the whole file once so the error names the line, as `verify` would.
  const verdict = await verifyAuditLog(file);
  if (!verdict.ok) throw new AuditLogBrokenError(file, verdict.line, verdict.problem);
  throw new AuditLogBrokenError(file, 0, `last line: ${problem}`);
}
