import { OsbuildError } from '@osbuild/shared';
import type { ExitCode } from './exit-codes.js';

/**
 * An error the CLI reports as its message alone and exits with `exitCode`. An empty message means
 * the command already told the user what went wrong (e.g. listed inventory issues).
 */
export class CliError extends OsbuildError {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('cli', message, options);
  }
}
