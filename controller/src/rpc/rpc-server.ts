import {
  type ErrorCode,
  errorCode,
  isUserError,
  PROTOCOL_VERSION,
  type RpcMethod,
  type RpcRequest,
  rpcMethods,
  topics,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import { redactSecrets } from '../logging/redact.js';
import type { Handlers } from './handlers.js';

/** Where responses go. */
export type Respond = (topic: string, body: unknown) => void;

/**
 * Answer one already-parsed request. Params are validated per method; user errors become error
 * envelopes with their code, anything else is logged as a bug and answered `internal`.
 */
export function answerRpc(
  req: RpcRequest,
  handlers: Handlers,
  respond: Respond,
  logger: Logger,
  audit: (result: 'ok' | 'refused' | 'error', detail: Record<string, unknown>) => void = () => {},
  caller: RpcCaller = { name: 'unknown' },
): void {
  // Trace shows the request's params (secret-named values redacted, all capped) and how it ended,
  // never the data of an answer: `users.add` and `claims.add` answer with the new secret.
  const tracing = logger.isLevelEnabled('trace');
  if (tracing) {
    logger.trace(
      { rpc: req.id, method: req.method, caller: caller.name, params: redactSecrets(req.params) },
      'rpc request',
    );
  }
  const reply = (body: { ok: boolean; data?: unknown; error?: { code: ErrorCode; message: string } }) => {
    if (tracing)
      logger.trace({ rpc: req.id, method: req.method, ok: body.ok, code: body.error?.code }, 'rpc response');
    respond(topics.rpcResponse(req.replyTo), { v: PROTOCOL_VERSION, id: req.id, ...body });
  };
  const fail = (code: ErrorCode, message: string) => {
    audit(code === 'internal' ? 'error' : 'refused', { code });
    reply({ ok: false, error: { code, message } });
  };
  const method: RpcMethod = req.method;
  const params = rpcMethods[method].params.safeParse(req.params ?? {});
  if (!params.success) {
    const issue = params.error.issues[0];
    fail(
      'bad-request',
      `invalid params for ${method}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
    return;
  }
  const onError = (err: unknown) => {
    if (isUserError(err)) {
      const code = errorCode.safeParse(err.code);
      fail(code.success ? code.data : 'bad-request', err.message);
      return;
    }
    logger.error({ err, method }, 'rpc handler failed');
    fail('internal', `internal error while handling ${method}`);
  };
  const ok = (data: unknown) => {
    audit('ok', {});
    reply({ ok: true, data });
  };
  try {
    const handler = handlers[method] as (p: unknown, c: RpcCaller) => unknown;
    const data = handler(params.data, caller);
    // Most handlers answer at once; a few (commands that drain a node first) return a promise.
    if (data instanceof Promise) data.then(ok, onError);
    else ok(data);
  } catch (err) {
    onError(err);
  }
}

/** Who sent a request, as the broker authenticated it (for `createdBy` fields; never a secret). */
export interface RpcCaller {
  name: string;
}
