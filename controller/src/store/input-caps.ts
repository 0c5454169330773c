// Bounds on what node input may leave in one stored row. The protocol's schemas bound each field
// at the boundary; these bound what the store keeps whatever a caller hands it, so one payload
// never becomes an unbounded row (a cmd-result's id went into a result-ignored event whole).

/** Longest string kept in an event's data (ids, boot ids, reasons a node may choose), characters. */
export const EVENT_STRING_MAX = 256;
/** Largest JSON of one event's data, bytes; bigger data is replaced by a note saying so. */
export const EVENT_DATA_MAX_BYTES = 4096;
/** Largest text of one stored log line (an agent sends output in chunks of at most 8 KiB). */
export const LOG_TEXT_MAX_BYTES = 16 * 1024;
/** Longest command id kept with a log line, characters. */
export const LOG_CMD_ID_MAX = 128;
/** Largest output tail kept for a step or command (the agent sends at most 4 KiB). */
export const OUTPUT_TAIL_MAX_BYTES = 8 * 1024;
/** Longest error text kept for a step or command, characters. */
export const ERROR_TEXT_MAX = 1024;

/** `s` cut to `max` characters, with a marker saying how much was left out. */
export function capString(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max)}…[${s.length - max} more characters]`;
}

/** The first `maxBytes` of `s` in UTF-8, with a marker saying how much was left out. */
export function capHeadBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= maxBytes) return s;
  // Cutting at a byte offset can split a UTF-8 sequence; drop the partial character.
  const head = buf
    .subarray(0, maxBytes)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return `${head}…[${buf.length - maxBytes} more bytes]`;
}

/** The last `maxBytes` of `s` in UTF-8 (an output tail keeps its end). */
export function capTailBytes(s: string, maxBytes: number): string {
  const buf = Buffer.from(s);
  if (buf.length <= maxBytes) return s;
  return buf
    .subarray(buf.length - maxBytes)
    .toString('utf8')
    .replace(/^\uFFFD+/, '');
}

/** Event data with every string capped; data still over {@link EVENT_DATA_MAX_BYTES} becomes a note. */
export function capEventData(data: Record<string, unknown>): string {
  const json = JSON.stringify(capStrings(data, 0));
  if (Buffer.byteLength(json) <= EVENT_DATA_MAX_BYTES) return json;
  return JSON.stringify({
    oversized: Buffer.byteLength(json),
    keys: Object.keys(data)
      .slice(0, 16)
      .map((k) => capString(k, 64)),
  });
}

function capStrings(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return capString(value, EVENT_STRING_MAX);
  if (value === null || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => capStrings(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [capString(k, 64), capStrings(v, depth + 1)]),
  );
}
