import type { z } from 'zod';

/** Result of parsing an inbound payload at the transport boundary. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Largest payload accepted before JSON parsing is even attempted (bytes). */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * Parse an MQTT payload as JSON and validate it; never throws, so one bad message cannot take a
 * handler down. The error names the first offending field.
 */
export function parsePayload<S extends z.ZodType>(
  schema: S,
  payload: Buffer | string,
): ParseResult<z.infer<S>> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (size > MAX_PAYLOAD_BYTES) return { ok: false, error: `payload too large (${size} bytes)` };
  let json: unknown;
  try {
    json = JSON.parse(payload.toString());
  } catch {
    return { ok: false, error: 'payload is not valid JSON' };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return { ok: false, error: `${where}: ${issue?.message ?? 'invalid'}` };
}
