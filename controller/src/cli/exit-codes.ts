import type { ErrorCode } from '@osbuild/shared';

/**
 * Exit codes of the `osbuild` CLI. They are part of its interface: scripts branch on them, so a
 * value never changes meaning once released.
 *
 * | code | name          | meaning                                                             |
 * |------|---------------|---------------------------------------------------------------------|
 * | 0    | ok            | success                                                             |
 * | 1    | internal      | a bug or an unexpected failure (ours or the controller's)           |
 * | 2    | usage         | bad flags or arguments, unreadable CLI config, rejected request     |
 * | 3    | notFound      | the named node (or other object) does not exist                     |
 * | 4    | refused       | conflict, invalid state, not authorised, credentials refused        |
 * | 5    | unreachable   | the controller cannot be reached, or did not answer in time         |
 * | 6    | inventoryInvalid | the inventory file does not validate                             |
 * | 7    | auditBroken   | the audit log fails verification (edited, truncated, lines missing) |
 * | 8    | commandFailed | a node command failed, was rejected, or was never started (wave stop) |
 * | 9    | commandTimedOut | a node command timed out or expired in the queue, none failed      |
 */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  notFound: 3,
  refused: 4,
  unreachable: 5,
  inventoryInvalid: 6,
  auditBroken: 7,
  commandFailed: 8,
  commandTimedOut: 9,
} as const;

/** One of the {@link EXIT} values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/**
 * Exit code for an error code in a response envelope. `unauthorized` is "refused" (4) rather than
 * a usage error: the request was well formed, the controller declined it, and retrying with other
 * flags will not help until credentials change.
 */
export const EXIT_FOR_ERROR_CODE: { [C in ErrorCode]: ExitCode } = {
  'bad-request': EXIT.usage,
  'not-found': EXIT.notFound,
  conflict: EXIT.refused,
  'invalid-state': EXIT.refused,
  unauthorized: EXIT.refused,
  unavailable: EXIT.unreachable,
  internal: EXIT.internal,
};

/** Exit code for an error code in a response envelope. */
export function exitCodeForErrorCode(code: ErrorCode): ExitCode {
  return EXIT_FOR_ERROR_CODE[code];
}
