import { z } from 'zod';
import { ID_MAX, TIME_MAX } from './limits.js';

/**
 * An ISO 8601 time as `Date.prototype.toISOString` writes it (UTC, milliseconds, `Z`). Receivers
 * do not parse it beyond its length: it is for ordering and display.
 */
export function isoTime(meaning: string) {
  return z.string().max(TIME_MAX).describe(`${meaning} (ISO 8601 time, e.g. 2026-01-01T12:00:00.000Z).`);
}

/** {@link isoTime} or null. */
export function nullableIsoTime(meaning: string) {
  return z
    .string()
    .max(TIME_MAX)
    .nullable()
    .describe(`${meaning} (ISO 8601 time, e.g. 2026-01-01T12:00:00.000Z).`);
}

/** A command id as the controller makes it; the agent de-duplicates on it. */
export function commandId(meaning: string) {
  return z.string().min(8).max(ID_MAX).describe(meaning);
}

/** `seq`: the agent's per-process message counter (hello, events and telemetry share it). */
export const messageSeq = z
  .number()
  .int()
  .nonnegative()
  .describe(
    'Counter of messages the agent process sent (hello, events and telemetry share it); starts at 0 ' +
      'when the agent starts, so a lower value than before means the agent restarted.',
  );
