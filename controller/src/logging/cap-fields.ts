// Every value a client or node controls is cut to a size before it reaches the controller log or
// the audit log: a refused login at the connection rate limit would otherwise write whatever
// username it offers (up to 64 KiB per MQTT string) ten times a second, forever. Pure functions.

/** Bytes kept of an identifier (username, client id, topic, target, source address). */
export const ID_MAX_BYTES = 256;
/** Bytes kept of any other string (reasons, error text, log lines, script names). */
export const TEXT_MAX_BYTES = 1024;

/** How far {@link capFields} goes into a value. */
export interface FieldCaps {
  /** Bytes kept of each string (UTF-8). */
  maxString: number;
  /** Elements kept of each array. */
  maxItems: number;
  /** Keys kept of each object. */
  maxKeys: number;
  /** Bytes kept of each key. */
  maxKey: number;
  /** Levels of nesting kept; deeper values become a marker. */
  maxDepth: number;
}

/** The caps of a log line's fields and of an audit record's `detail`. */
export const DEFAULT_CAPS: FieldCaps = {
  maxString: TEXT_MAX_BYTES,
  maxItems: 64,
  maxKeys: 64,
  maxKey: 64,
  maxDepth: 6,
};

/**
 * `value` if it has at most `max` UTF-8 bytes, else its first `max` bytes (never splitting a
 * character) followed by `…[+N bytes]`, N being what was cut. The marker is how a reader tells a
 * cut value from a whole one; it is not counted in `max`.
 */
export function capField(value: string, max: number = ID_MAX_BYTES): string {
  // Cheap exits first: a string of at most max/3 UTF-16 units cannot exceed max bytes.
  if (value.length * 3 <= max) return value;
  const total = Buffer.byteLength(value, 'utf8');
  if (total <= max) return value;
  let kept = 0;
  let end = 0;
  for (const ch of value.slice(0, max)) {
    const cp = ch.codePointAt(0) ?? 0;
    const size = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (kept + size > max) break;
    kept += size;
    end += ch.length;
  }
  return `${value.slice(0, end)}…[+${total - kept} bytes]`;
}

/** `capField` for a value that may be absent or not a string (logged as it is then). */
export function capOptional<T>(value: T, max: number = ID_MAX_BYTES): T | string {
  return typeof value === 'string' ? capField(value, max) : value;
}

/**
 * A copy of `value` with every string cut by {@link capField}, arrays and objects cut to
 * `maxItems`/`maxKeys` entries (a marker says how many were left out) and nesting cut at
 * `maxDepth`. Numbers, booleans and null pass; instances other than plain objects and arrays
 * (an `Error` for pino's serializer, a `Date`) pass untouched, since their shape is the code's own.
 */
export function capFields<T>(value: T, caps: Partial<FieldCaps> = {}): T {
  return capValue(value, { ...DEFAULT_CAPS, ...caps }, 0) as T;
}

function capValue(value: unknown, caps: FieldCaps, depth: number): unknown {
  if (typeof value === 'string') return capField(value, caps.maxString);
  if (value === null || typeof value !== 'object') return value;
  const plain = Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
  if (!plain) return value;
  if (depth >= caps.maxDepth) return `…[nested ${Array.isArray(value) ? 'array' : 'object'} left out]`;
  if (Array.isArray(value)) {
    const kept = value.slice(0, caps.maxItems).map((v) => capValue(v, caps, depth + 1));
    if (value.length > caps.maxItems) kept.push(`…[+${value.length - caps.maxItems} items]`);
    return kept;
  }
  const entries = Object.entries(value);
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries.slice(0, caps.maxKeys))
    out[capField(k, caps.maxKey)] = capValue(v, caps, depth + 1);
  if (entries.length > caps.maxKeys) out['…'] = `+${entries.length - caps.maxKeys} keys`;
  return out;
}

/** Bytes (as JSON) an audit record's `detail` may take after its fields are capped. */
export const DETAIL_MAX_BYTES = 16 * 1024;

/**
 * {@link capFields} within a total budget of `maxBytes` of JSON: when the capped value is still
 * larger (many capped strings), it is capped again harder, and failing that replaced by a marker
 * object that says how large it was. So one record never grows past a few times `maxBytes`.
 */
export function capRecord(value: Record<string, unknown>, maxBytes: number = DETAIL_MAX_BYTES) {
  const fits = (v: unknown) => Buffer.byteLength(JSON.stringify(v) ?? '', 'utf8') <= maxBytes;
  const capped = capFields(value);
  if (fits(capped)) return capped;
  const harder = capFields(value, { maxString: 64, maxItems: 8, maxKeys: 16, maxDepth: 3 });
  if (fits(harder)) return harder;
  return { '…': `+${Buffer.byteLength(JSON.stringify(capped), 'utf8')} bytes left out` };
}
