import type { Identity } from '@osbuild/shared';
import type { Logger } from 'pino';
import { discardCredential } from '../journal/credential.js';
import type { ConnectMqtt, ConnectOptions, MqttConnection } from '../transport/mqtt-connection.js';
import type { Backoff } from './backoff.js';
import { chooseLogin, type Login, type LoginMode } from './enrolment.js';
import { encode, statusMessage } from './messages.js';
import type { NodeTopics } from './node-topics.js';
import type { Outbound } from './outbound.js';
import type { AgentCounters } from './session-deps.js';
import { sleep, withTimeout } from './sleep.js';

/** What {@link runConnectionLoop} needs. */
export interface ConnectionLoopDeps {
  controllerUrl: string;
  keepaliveSec: number;
  connect: ConnectMqtt;
  backoff: Backoff;
  stateDir: string;
  claimSecret?: string | undefined;
  topics: NodeTopics;
  identity: () => Identity;
  outbound: Pick<Outbound, 'attach' | 'detach'>;
  counters: AgentCounters;
  logger: Logger;
  now: () => Date;
  /** Set up a fresh connection (subscriptions, hello); a throw drops the connection. */
  onConnected: (conn: MqttConnection, mode: LoginMode) => Promise<void>;
  /** True when the session ends as if the process died: no DISCONNECT, so the will fires. */
  abrupt: () => boolean;
}

/**
 * Keep one connection to the controller up until `signal` aborts. mqtt.js's own reconnect is off
 * (mqtt-transport.ts): each round logs in afresh, so a credential received or revoked meanwhile is
 * used at once, and waits are the jittered backoff.
 */
export async function runConnectionLoop(deps: ConnectionLoopDeps, signal: AbortSignal): Promise<void> {
  const aborted = new Promise<void>((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
  while (!signal.aborted) {
    const login = await chooseLogin(deps.stateDir, deps.claimSecret, deps.logger);
    const conn = await open(deps, login, signal);
    if (!conn) continue;
    if (signal.aborted) {
      if (deps.abrupt()) conn.destroy();
      else await withTimeout(conn.end(), 2000);
      break;
    }
    await serve(deps, conn, login.mode, aborted);
    if (signal.aborted) break;
    const delay = deps.backoff.next();
    deps.logger.warn({ retryInMs: delay }, 'connection lost');
    await sleep(delay, signal);
  }
}

/** One connection attempt; null (after the backoff wait) when it failed. */
async function open(
  deps: ConnectionLoopDeps,
  login: Login,
  signal: AbortSignal,
): Promise<MqttConnection | null> {
  try {
    return await deps.connect(connectOptions(deps, login));
  } catch (err) {
    await onRefused(deps, login, err);
    const delay = deps.backoff.next();
    deps.logger.warn({ err: (err as Error).message, retryInMs: delay }, 'cannot connect to the controller');
    await sleep(delay, signal);
    return null;
  }
}

function connectOptions(deps: ConnectionLoopDeps, login: Login): ConnectOptions {
  const identity = deps.identity();
  return {
    url: deps.controllerUrl,
    clientId: `agent-${identity.nodeId}`,
    keepaliveSec: deps.keepaliveSec,
    ...login.auth,
    clean: login.mode === 'claim',
    // Only an enrolled node reports its presence; a claim may publish nothing but its claim.
    ...(login.mode === 'node'
      ? {
          will: {
            topic: deps.topics.status,
            // `at` is the connect time: the broker cannot stamp the will when it fires.
            payload: encode(statusMessage(false, identity.bootId, deps.now())),
          },
        }
      : {}),
  };
}

/** CONNACK 4/5: our own credential was revoked or rotated; enrol again with the claim. */
async function onRefused(deps: ConnectionLoopDeps, login: Login, err: unknown): Promise<void> {
  const code = (err as { code?: unknown }).code;
  if (login.mode === 'node' && (code === 4 || code === 5)) {
    deps.logger.warn({ code }, 'the controller refused our credential; falling back to the claim secret');
    await discardCredential(deps.stateDir).catch(() => {});
  }
}

/** Use `conn` until it closes or the session ends. */
async function serve(
  deps: ConnectionLoopDeps,
  conn: MqttConnection,
  mode: LoginMode,
  aborted: Promise<void>,
): Promise<void> {
  const { backoff, counters, logger } = deps;
  backoff.reset();
  counters.connects += 1;
  if (counters.connects > 1) counters.reconnects += 1;
  deps.outbound.attach(conn, mode);
  logger.info({ url: deps.controllerUrl, nodeId: deps.identity().nodeId }, 'connected');
  try {
    await deps.onConnected(conn, mode);
  } catch (err) {
    logger.warn({ err }, 'setting up the connection failed');
    conn.destroy();
  }
  await Promise.race([conn.closed, aborted]);
  deps.outbound.detach(conn);
}
