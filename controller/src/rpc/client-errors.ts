import { type ErrorCode, OsbuildError } from '@osbuild/shared';

/** The controller answered with `{ok: false, error}`; `errorCode` is the envelope's code. */
export class RpcCallError extends OsbuildError {
  constructor(
    readonly errorCode: ErrorCode,
    message: string,
  ) {
    super(`rpc-${errorCode}`, message);
  }
}

/** The broker could not be reached, or refused the connection. */
export class ControllerUnreachableError extends OsbuildError {
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('controller-unreachable', message, options);
  }
}

/** No answer with the request's id arrived in time. */
export class RpcTimeoutError extends OsbuildError {
  constructor(
    readonly method: string,
    readonly timeoutMs: number,
  ) {
    super('rpc-timeout', `the controller did not answer ${method} within ${timeoutMs / 1000} s`);
  }
}

/** An answer carried our id but did not match the method's schema (version skew or a bug). */
export class RpcProtocolError extends OsbuildError {
  constructor(message: string) {
    super('rpc-protocol', message);
  }
}

/** The broker answered but refused our credentials (CONNACK "bad username or password" / "not authorized"). */
export class ControllerAuthError extends OsbuildError {
  constructor(
    readonly url: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('controller-unauthorized', message, options);
  }
}
