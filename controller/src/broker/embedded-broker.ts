import type { Server } from 'node:net';
import { MAX_PAYLOAD_BYTES, parseTopic } from '@osbuild/shared';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { Authenticate } from '../auth/authenticator.js';
import { capField } from '../logging/cap-fields.js';
import type { RefusalCount } from '../logging/refusal-summary.js';
import { mayPublish, maySubscribe, type Principal, principalName } from './access-policy.js';
import { brokerEmitter } from './broker-emitter.js';
import { PacketTrace } from './packet-trace.js';
import { type RefusalKind, RefusalLog, type RefusalLogOptions, type RefusedLogin } from './refusal-log.js';

/** The log message of a client dropped for silence (the benchmarks count these lines). */
export const KEEPALIVE_EXPIRED = 'mqtt keepalive expired: client dropped';

/** A running embedded broker. */
export interface EmbeddedBroker {
  /** Failed authentications since start. */
  authFailures(): number;
  /** Authenticated clients connected now. */
  connectedClients(): number;
  /** Who a connected client is (the rpc server names the requesting operator with it). */
  whoIs(clientId: string): Principal | undefined;
  /** Drop a client's connection, e.g. after its credential was revoked. */
  disconnect(clientId: string): void;
  /** Drop every connection whose principal matches, e.g. a removed user's or a revoked claim's. */
  disconnectWhere(match: (p: Principal) => boolean): number;
  /** Write the summaries of refusal windows that ended (run periodically; close writes the rest). */
  flushRefusals(): void;
  /** Accept connections from a listener (TCP or TLS server). */
  readonly handle: (socket: import('node:stream').Duplex) => void;
  close(): Promise<void>;
}

/** What the broker reports about refusals (for the audit log); never secrets, every field capped. */
export interface BrokerEvents {
  /** A refused login, the first from its source in a refusal window. */
  onRefusedLogin?(e: RefusedLogin): void;
  /** How many further refusals of one kind one source had in a window (written once it ends). */
  onRefusalSummary?(s: RefusalCount<RefusalKind>): void;
  /** Decide whether a new connection from `address` may even try (rate limits); true = go on. */
  admit?(address: string | undefined): boolean;
  /** Decide whether a hello or claim may be published now (rate limits per address and claim). */
  admitHello?(address: string | undefined, principal: Principal): boolean;
}

/**
 * Aedes with every access decision delegated: `authenticate` to the authenticator, the three
 * authorize hooks to access-policy. Aedes' defaults accept everyone; overriding all of them is
 * what makes the policy binding.
 */
export async function startEmbeddedBroker(opts: {
  authenticate: Authenticate;
  logger: Logger;
  events?: BrokerEvents;
  /** How refusals are summarised (default: one line per source and minute, 10,000 sources). */
  refusals?: Partial<RefusalLogOptions>;
}): Promise<EmbeddedBroker> {
  const principals = new WeakMap<Client, Principal>();
  const byClientId = new Map<string, { client: Client; principal: Principal }>();
  const { logger, events = {} } = opts;
  let failures = 0;
  const address = (client: Client) => (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress;
  const refusals = new RefusalLog({
    logger,
    options: { windowMs: 60_000, maxSources: 10_000, now: Date.now, ...opts.refusals },
    ...(events.onRefusedLogin ? { onRefusedLogin: events.onRefusedLogin } : {}),
    ...(events.onRefusalSummary ? { onSummary: events.onRefusalSummary } : {}),
  });
  const trace = new PacketTrace(logger);
  // An authenticated client is known by its principal; one refused before that by its address.
  const sourceOf = (client: Client, p: Principal | undefined) =>
    p ? principalName(p) : (address(client) ?? client.id);

  const broker = await Aedes.createBroker({
    mq: brokerEmitter(),
    preConnect(client, _packet, callback) {
      const ok = events.admit ? events.admit(address(client)) : true;
      if (!ok) {
        const from = address(client) ?? 'unknown';
        refusals.refused('connection-rate', from, { address: from }, 'mqtt connection rate limited');
      }
      callback(null, ok);
    },
    authenticate(client, username, password, done) {
      opts
        .authenticate(client.id, username, password?.toString())
        .then((r) => {
          // A claim must not take over the session of an enrolled node that is online: MAC and
          // serial are not secrets, so that would let anyone with an image knock a node offline.
          if (r.ok && r.principal.kind === 'claim' && byClientId.get(client.id)?.principal.kind === 'node') {
            r = { ok: false, code: 'not-authorized', why: 'this identity is online as an enrolled node' };
          }
          if (r.ok) {
            principals.set(client, r.principal);
            done(null, true);
            return;
          }
          failures++;
          refusals.login({ clientId: client.id, username, address: address(client), why: r.why });
          const err = new Error('not authorized') as AuthenticateError;
          // [MQTT-3.2.2] CONNACK 4: bad user name or password; 5: not authorized.
          err.returnCode = (r.code === 'bad-credentials' ? 4 : 5) as AuthenticateError['returnCode'];
          done(err, false);
        })
        .catch((err: unknown) => {
          logger.error({ err }, 'authenticator failed');
          const e = new Error('server unavailable') as AuthenticateError;
          e.returnCode = 3 as AuthenticateError['returnCode'];
          done(e, false);
        });
    },
    authorizePublish(client, packet, callback) {
      // client is null for messages the broker itself publishes (e.g. $SYS); those are trusted.
      if (!client) return callback(null);
      const p = principals.get(client);
      if (!p || !mayPublish(p, packet.topic)) {
        const fields = { principal: p && principalName(p), topic: packet.topic };
        refusals.refused('publish', sourceOf(client, p), fields, 'mqtt publish refused');
        return callback(new Error(`publish to ${capField(packet.topic)} not allowed`));
      }
      if (packet.payload.length > MAX_PAYLOAD_BYTES) {
        const fields = { principal: principalName(p), topic: packet.topic, bytes: packet.payload.length };
        refusals.refused('publish', sourceOf(client, p), fields, 'mqtt payload too large');
        return callback(new Error('payload too large'));
      }
      const kind = parseTopic(packet.topic);
      if (kind?.scope === 'node' && (kind.kind === 'hello' || kind.kind === 'claim') && events.admitHello) {
        if (!events.admitHello(address(client), p)) {
          const fields = { principal: principalName(p), address: address(client) };
          refusals.refused('hello-rate', sourceOf(client, p), fields, 'hello rate limited');
          return callback(new Error('too many hellos'));
        }
      }
      // An operator may only ask for answers on its own response topic.
      if (
        p.kind === 'operator' &&
        parseTopic(packet.topic)?.scope === 'rpc-request' &&
        !repliesToSelf(packet.payload, client.id)
      ) {
        const fields = { principal: principalName(p) };
        refusals.refused(
          'reply-to',
          sourceOf(client, p),
          fields,
          'rpc request with a foreign replyTo refused',
        );
        return callback(new Error('replyTo must be your own client id'));
      }
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const p = principals.get(client);
      if (!p || !maySubscribe(p, sub.topic)) {
        const fields = { principal: p && principalName(p), topic: sub.topic };
        refusals.refused('subscribe', sourceOf(client, p), fields, 'mqtt subscribe refused');
        callback(null, null); // SUBACK 0x80 for this filter [MQTT-3.9.3], connection stays up
        return;
      }
      callback(null, sub);
    },
    authorizeForward(client, packet) {
      // Defence in depth: deliver only what the receiving client may subscribe to.
      const p = principals.get(client);
      if (!p || !maySubscribe(p, packet.topic)) return null;
      trace.publish('out', client.id, packet);
      return packet;
    },
  });
  broker.on('client', (client) => {
    const principal = principals.get(client);
    if (principal) byClientId.set(client.id, { client, principal });
    trace.client('connected', client.id, { principal: principal && principalName(principal) });
  });
  broker.on('publish', (packet, client) => {
    if (client) trace.publish('in', client.id, packet);
  });
  broker.on('subscribe', (subs, client) => {
    trace.client('subscribed', client.id, { filters: PacketTrace.filters(subs) });
  });
  broker.on('unsubscribe', (filters, client) => {
    trace.client('unsubscribed', client.id, { filters: PacketTrace.filters(filters) });
  });
  // A node that stops sending anything (no packet for 1.5 x keepalive [MQTT-3.1.2-24]) is dropped
  // by Aedes; say so, because a fleet losing connections shows up here first.
  broker.on('keepaliveTimeout', (client) => {
    logger.warn({ clientId: capField(client.id) }, KEEPALIVE_EXPIRED);
  });
  broker.on('clientDisconnect', (client) => {
    if (byClientId.get(client.id)?.client === client) byClientId.delete(client.id);
    trace.client('disconnected', client.id);
  });
  return {
    authFailures: () => failures,
    connectedClients: () => byClientId.size,
    whoIs: (clientId) => byClientId.get(clientId)?.principal,
    disconnect(clientId) {
      byClientId.get(clientId)?.client.close();
    },
    disconnectWhere(match) {
      const doomed = [...byClientId.values()].filter((c) => match(c.principal));
      for (const c of doomed) c.client.close();
      return doomed.length;
    },
    flushRefusals: () => refusals.flush(),
    handle: broker.handle,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      refusals.flush(true);
    },
  };
}

function repliesToSelf(payload: Buffer | string, clientId: string): boolean {
  try {
    return (JSON.parse(payload.toString()) as { replyTo?: unknown }).replyTo === clientId;
  } catch {
    return true; // not JSON: let it through to be rejected and counted by the controller's parser
  }
}

/** Listen on `server` at host:port; resolves with the bound port. */
export async function listen(server: Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address();
  return typeof a === 'object' && a ? a.port : port;
}
