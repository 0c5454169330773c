import { z } from 'zod';

/** Stable error codes in response envelopes; the CLI maps them to exit codes. */
export const errorCode = z.enum([
  'bad-request',
  'not-found',
  'conflict',
  'invalid-state',
  'unauthorized',
  'internal',
  'unavailable',
]);
/** Inferred {@link errorCode}. */
export type ErrorCode = z.infer<typeof errorCode>;

/** The error half of a response envelope. */
export const errorBody = z
  .object({
    code: errorCode.describe('Stable error code; the CLI maps it to an exit code.'),
    message: z.string().describe('What went wrong, for humans.'),
  })
  .describe('Why a request failed.');

/** Build the schema of a response envelope `{ok: true, data} | {ok: false, error}` around `data`. */
export function envelopeOf<T extends z.ZodType>(data: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true).describe('The request succeeded.'), data }),
    z.object({ ok: z.literal(false).describe('The request failed.'), error: errorBody }),
  ]);
}
/** A response envelope. */
export type Envelope<T> = { ok: true; data: T } | { ok: false; error: { code: ErrorCode; message: string } };
