// Operator request/response over MQTT: one connection per CLI invocation, answers addressed to
// this client's own response topic, matched to requests by id.
import { randomBytes } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  parsePayload,
  type RpcMethod,
  type RpcParams,
  type RpcRequest,
  type RpcResult,
  rpcMethods,
  rpcResponseSchema,
  topics,
} from '@osbuild/shared';
import { type ConnectOptions, connectMqtt, type InboundMessage, type MqttPort } from '../transport/mqtt.js';
import {
  ControllerAuthError,
  ControllerUnreachableError,
  RpcCallError,
  RpcProtocolError,
  RpcTimeoutError,
} from './client-errors.js';

/** Default time to wait for the broker and then for each answer. */
export const DEFAULT_RPC_TIMEOUT_MS = 10_000;

/** Options for {@link openRpcClient}. */
export interface RpcClientOptions {
  url: string;
  username?: string;
  password?: string;
  /** Bounds the connection and each call separately. */
  timeoutMs?: number;
  /** Told about answers that could not be parsed; they are otherwise ignored. */
  onWarning?: (message: string) => void;
  /** Injected for tests; defaults to {@link connectMqtt}. */
  connect?: (url: string, opts: ConnectOptions) => Promise<MqttPort>;
}

/** A connected operator client. */
export interface RpcClient {
  readonly clientId: string;
  call<M extends RpcMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>>;
  close(): Promise<void>;
}

interface Pending {
  method: RpcMethod;
  resolve(data: unknown): void;
  reject(err: Error): void;
}

/** A fresh id that is also a valid topic level and `replyTo`. */
function randomId(prefix: string): string {
  return `${prefix}${randomBytes(8).toString('hex')}`;
}

/**
 * A client that connects on its first call, so arguments are checked before the network is
 * touched. Calls reject with {@link ControllerUnreachableError}, {@link RpcTimeoutError},
 * {@link RpcCallError} (the controller said no, or the params are invalid) or
 * {@link RpcProtocolError}.
 */
export function createRpcClient(opts: RpcClientOptions): RpcClient {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS;
  const clientId = randomId('cli-');
  const pending = new Map<string, Pending>();
  let port: Promise<MqttPort> | undefined;

  return {
    clientId,
    async call<M extends RpcMethod>(method: M, params: RpcParams<M>): Promise<RpcResult<M>> {
      checkParams(method, params);
      port ??= connectForRpc(opts, clientId, timeoutMs, pending);
      const connected = await port;
      const id = randomId('');
      const request: RpcRequest = { v: PROTOCOL_VERSION, id, replyTo: clientId, method, params };
      const answer = new Promise<unknown>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new RpcTimeoutError(method, timeoutMs));
        }, timeoutMs);
        const settle = () => {
          clearTimeout(timer);
          pending.delete(id);
        };
        pending.set(id, {
          method,
          resolve: (data) => {
            settle();
            resolve(data);
          },
          reject: (err) => {
            settle();
            reject(err);
          },
        });
      });
      try {
        await connected.publish(topics.rpcRequest(), request, { qos: 1 });
      } catch (err) {
        const message = `cannot send ${method} to ${opts.url}: ${(err as Error).message}`;
        pending.get(id)?.reject(new ControllerUnreachableError(opts.url, message, { cause: err }));
      }
      return (await answer) as RpcResult<M>;
    },
    async close() {
      for (const p of pending.values()) p.reject(new Error('client closed'));
      const connected = await port?.catch(() => undefined);
      await connected?.close(true);
    },
  };
}

/** Reject params the controller would refuse anyway, as a bad request. */
function checkParams(method: RpcMethod, params: unknown): void {
  const checked = rpcMethods[method].params.safeParse(params);
  if (checked.success) return;
  const issue = checked.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new RpcCallError('bad-request', `${method}: ${where}${issue?.message ?? 'invalid params'}`);
}

/** Connect, route answers to `pending`, and subscribe to our response topic. */
async function connectForRpc(
  opts: RpcClientOptions,
  clientId: string,
  timeoutMs: number,
  pending: Map<string, Pending>,
): Promise<MqttPort> {
  const connect = opts.connect ?? connectMqtt;
  let port: MqttPort;
  try {
    port = await connect(opts.url, {
      clientId,
      connectTimeoutMs: timeoutMs,
      reconnect: false,
      ...(opts.username !== undefined ? { username: opts.username, password: opts.password ?? '' } : {}),
    });
  } catch (err) {
    // connectMqtt's own message repeats the URL; keep just the reason.
    const cause = err instanceof Error ? err : undefined;
    const why = (cause?.cause instanceof Error ? cause.cause.message : cause?.message) ?? String(err);
    if (isAuthRefusal(cause?.cause)) {
      throw new ControllerAuthError(
        opts.url,
        `the controller at ${opts.url} refused the credentials: ${why}`,
        {
          cause: err,
        },
      );
    }
    throw new ControllerUnreachableError(opts.url, `cannot reach the controller at ${opts.url}: ${why}`, {
      cause: err,
    });
  }
  port.onMessage((msg) => handleResponse(msg, pending, opts.onWarning));
  try {
    await port.subscribe([topics.rpcResponse(clientId)], 1);
  } catch (err) {
    await port.close(true);
    // Logged in, but not allowed an rpc exchange: a monitor credential, which is read-only.
    throw new ControllerAuthError(
      opts.url,
      `the controller at ${opts.url} refused the response subscription (monitor credentials cannot call operator methods): ${(err as Error).message}`,
      { cause: err },
    );
  }
  return port;
}

/**
 * CONNACK refusals for credentials: MQTT 3.1.1 return codes 4 (bad user name or password) and 5
 * (not authorized) [MQTT-3.2.2.3], MQTT 5 reason codes 0x86 and 0x87.
 */
function isAuthRefusal(err: unknown): boolean {
  const code = err && typeof err === 'object' && 'code' in err ? err.code : undefined;
  return code === 4 || code === 5 || code === 0x86 || code === 0x87;
}

/** Route one inbound answer to its pending call; never throws. */
function handleResponse(
  msg: InboundMessage,
  pending: Map<string, Pending>,
  warn: ((message: string) => void) | undefined,
): void {
  const parsed = parsePayload(rpcResponseSchema, msg.payload);
  if (!parsed.ok) {
    // If the broken answer still names one of our requests, fail that call now rather than
    // letting it run into the timeout.
    const id = idOf(msg.payload);
    const p = id === undefined ? undefined : pending.get(id);
    if (p) p.reject(new RpcProtocolError(`malformed answer to ${p.method}: ${parsed.error}`));
    else warn?.(`ignored a malformed answer on ${msg.topic}: ${parsed.error}`);
    return;
  }
  const response = parsed.value;
  const p = pending.get(response.id);
  if (!p) return; // a late answer to a call that already timed out
  if (!response.ok) {
    p.reject(new RpcCallError(response.error.code, response.error.message));
    return;
  }
  const data = rpcMethods[p.method].result.safeParse(response.data);
  if (data.success) {
    p.resolve(data.data);
    return;
  }
  const issue = data.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
  p.reject(new RpcProtocolError(`answer to ${p.method}: ${where}: ${issue?.message ?? 'invalid'}`));
}

/** Best-effort `id` of a payload that failed validation. */
function idOf(payload: Buffer): string | undefined {
  try {
    const json: unknown = JSON.parse(payload.toString());
    if (json && typeof json === 'object' && 'id' in json && typeof json.id === 'string') return json.id;
  } catch {
    // not JSON: nothing to match
  }
  return undefined;
}
