import { z } from 'zod';

/**
 * Result of parsing an inbound payload at the transport boundary. A failure lists every problem as
 * `path: message` (`outputTail: required (expected string)`), at most {@link MAX_PARSE_ISSUES} of
 * them and each at most {@link MAX_ISSUE_CHARS} long, so a log line built from it stays bounded
 * whatever a client sends; `error` is the same list joined into one line.
 */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; issues: readonly string[] };

/** Largest payload accepted before JSON parsing is even attempted (bytes). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;
/** Problems reported per rejected payload; the rest are counted in a last `... N more` entry. */
export const MAX_PARSE_ISSUES = 5;
/** Length of one reported problem; a longer path or message is cut and ends in `…`. */
export const MAX_ISSUE_CHARS = 160;

/**
 * Parse an MQTT payload as JSON and validate it; never throws, so one bad message cannot take a
 * handler down. A failure names each offending field; for a union (`cmd-result`: ack, progress or
 * result) it names the fields of the branch the payload's `type` picks, not the union as a whole.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Buffer | string,
): ParseResult<z.infer<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return failure([`payload too large (${size} bytes)`]);
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    // Not JSON.parse's message: it quotes the payload, which may hold anything.
    return failure(['payload is not valid JSON']);
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  return failure(describeIssues(schema, json, parsed.error.issues));
}

/** Every issue as `path: message`, with a union's issue replaced by its chosen branch's issues. */
function describeIssues(schema: z.ZodType, input: unknown, issues: readonly z.core.$ZodIssue[]): string[] {
  const out: string[] = [];
  for (const issue of issues) {
    const options = issue.code === 'invalid_union' ? unionAt(schema, issue.path)?.options : undefined;
    const union = options && branchesOf(options);
    if (union && issue.code === 'invalid_union' && issue.errors.length === options.length) {
      const branch = chooseBranch(union, valueAt(input, issue.path));
      if (branch === 'none') {
        out.push(...noBranch(union, issue.path));
        continue;
      }
      const chosen = branch === undefined ? undefined : issue.errors[branch];
      if (chosen) {
        // Branch issues are relative to the union's place in the payload.
        const nested = chosen.map((i) => ({ ...i, path: [...issue.path, ...i.path] }));
        out.push(...describeIssues(schema, input, nested));
        continue;
      }
    }
    out.push(`${where(issue.path)}: ${messageOf(issue, input)}`);
  }
  return out;
}

function failure(problems: readonly string[]): { ok: false; error: string; issues: string[] } {
  const shown = problems.slice(0, MAX_PARSE_ISSUES).map((p) => cut(p, MAX_ISSUE_CHARS));
  if (problems.length > MAX_PARSE_ISSUES) shown.push(`... ${problems.length - MAX_PARSE_ISSUES} more`);
  return { ok: false, error: shown.join('; '), issues: shown };
}

function cut(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function where(path: readonly PropertyKey[]): string {
  return path.length > 0 ? path.map(String).join('.') : '(root)';
}

/** zod says "expected string, received undefined" for a missing field; say `required` instead. */
function messageOf(issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'invalid_type' && issue.path.length > 0 && valueAt(input, issue.path) === undefined)
    // A required z.unknown() field says "expected nonoptional": no type worth naming.
    return issue.expected === 'nonoptional' ? 'required' : `required (expected ${issue.expected})`;
  return issue.message;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The plain union schema at `path` inside `schema`, following objects, arrays and wrappers. */
function unionAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodUnion | undefined {
  let s: z.ZodType | undefined = unwrap(schema);
  for (const key of path) {
    if (s instanceof z.ZodObject) s = unwrap(s.shape[String(key)]);
    else if (s instanceof z.ZodArray && typeof key === 'number') s = unwrap(s.element as z.ZodType);
    else return undefined;
  }
  // A discriminated union reports its chosen branch's issues itself; only plain unions need help.
  return s instanceof z.ZodUnion && !(s instanceof z.ZodDiscriminatedUnion) ? s : undefined;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  let cur = s;
  while (cur instanceof z.ZodOptional || cur instanceof z.ZodNullable || cur instanceof z.ZodDefault)
    cur = cur.unwrap() as z.ZodType;
  return cur;
}

/** How a union's object branches tell themselves apart: their literal fields (`type`). */
interface Branches {
  /** Per branch, its literal fields and their allowed values. */
  tables: Map<string, readonly unknown[]>[];
  /** The literal fields whose values differ between branches, or that some branches lack. */
  telling: string[];
}

function branchesOf(options: readonly z.core.SomeType[]): Branches | undefined {
  const tables: Map<string, readonly unknown[]>[] = [];
  for (const o of options) {
    if (!(o instanceof z.ZodObject)) return undefined;
    const m = new Map<string, readonly unknown[]>();
    for (const [k, s] of Object.entries(o.shape)) if (s instanceof z.ZodLiteral) m.set(k, [...s.values]);
    tables.push(m);
  }
  const keys = new Set(tables.flatMap((t) => [...t.keys()]));
  const telling = [...keys].filter((k) => !tables.every((t) => sameValues(t.get(k), tables[0]?.get(k))));
  return telling.length > 0 ? { tables, telling } : undefined;
}

/**
 * Which branch the value meant: the one for which the value holds one of the branch's literals in
 * each telling field, or lacks the field when the branch has none (a result carries no `type`).
 * `none`: no branch fits; undefined: more than one does.
 */
function chooseBranch(b: Branches, value: unknown): number | 'none' | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const record = value as Record<string, unknown>;
  const fits = b.tables.flatMap((t, i) =>
    b.telling.every((k) => {
      const allowed = t.get(k);
      return allowed ? allowed.includes(record[k]) : !(k in record);
    })
      ? [i]
      : [],
  );
  if (fits.length === 0) return 'none';
  return fits.length === 1 ? fits[0] : undefined;
}

function sameValues(a: readonly unknown[] | undefined, b: readonly unknown[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((v, i) => v === b[i]);
}

/** `type: expected one of "ack", "progress", absent` for each telling field. */
function noBranch(b: Branches, path: readonly PropertyKey[]): string[] {
  return b.telling.map((k) => {
    const values = new Set(b.tables.flatMap((t) => t.get(k)?.map((v) => JSON.stringify(v)) ?? ['absent']));
    return `${where([...path, k])}: expected one of ${[...values].join(', ')}`;
  });
}
