/**
 * Errors shared by every package. `UserError`s are the operator's to fix (bad input, bad config)
 * and map to a clear message and exit code; anything else is a bug.
 */
export class OsbuildError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A problem the user can fix: invalid input, configuration or request. */
export class UserError extends OsbuildError {}

/** Something the program did not expect; report and investigate. */
export class InternalError extends OsbuildError {}

/** True for errors whose message is meant for the user as it is. */
export function isUserError(err: unknown): err is UserError {
  return err instanceof UserError;
}
