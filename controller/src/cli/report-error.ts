import { isUserError } from '@osbuild/shared';
import {
  ControllerAuthError,
  ControllerUnreachableError,
  RpcCallError,
  RpcProtocolError,
  RpcTimeoutError,
} from '../rpc/client-errors.js';
import { CliError } from './cli-error.js';
import { EXIT, type ExitCode, exitCodeForErrorCode } from './exit-codes.js';

/** How an error ends the CLI: its exit code and the single line printed on stderr ('' for none). */
export interface ErrorReport {
  exitCode: ExitCode;
  message: string;
}

/** Classify any thrown value; anything unrecognised is a bug and exits 1. */
export function reportError(err: unknown): ErrorReport {
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof RpcCallError) {
    return { exitCode: exitCodeForErrorCode(err.errorCode), message: `${err.errorCode}: ${err.message}` };
  }
  if (err instanceof ControllerUnreachableError || err instanceof RpcTimeoutError) {
    return { exitCode: EXIT.unreachable, message: err.message };
  }
  if (err instanceof ControllerAuthError) return { exitCode: EXIT.refused, message: err.message };
  if (err instanceof RpcProtocolError) {
    return { exitCode: EXIT.internal, message: `unexpected answer from the controller: ${err.message}` };
  }
  if (isUserError(err)) {
    return {
      exitCode: err.code === 'inventory-invalid' ? EXIT.inventoryInvalid : EXIT.usage,
      message: err.message,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { exitCode: EXIT.internal, message: `internal error: ${message}` };
}
