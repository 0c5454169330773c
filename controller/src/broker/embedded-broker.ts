import { createServer, type Server } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import { mayPublish, maySubscribe, type Principal, principalFor } from './access-policy.js';

/** A running embedded broker. */
export interface EmbeddedBroker {
  readonly port: number;
  readonly host: string;
  /** Failed authentications since start, by reason (never the secret). */
  authFailures(): number;
  close(): Promise<void>;
}

// The hooks must recover the principal decided at CONNECT; a WeakMap keeps it off the client object.
type Principals = WeakMap<Client, Principal>;

/**
 * Start Aedes with every access decision delegated to access-policy. Aedes' default
 * `authenticate` accepts everyone; overriding all four hooks is what makes the policy binding.
 */
export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  controllerSecret: string;
  logger: Logger;
}): Promise<EmbeddedBroker> {
  const principals: Principals = new WeakMap();
  let failures = 0;
  const broker = await Aedes.createBroker({
    authenticate(client, username, password, done) {
      const p = principalFor(client.id, username, password?.toString(), opts.controllerSecret);
      if (!p) {
        failures++;
        opts.logger.warn({ clientId: client.id, username }, 'mqtt connection refused');
        const err = new Error('not authorized') as AuthenticateError;
        err.returnCode = 5 as AuthenticateError['returnCode']; // [MQTT-3.2.2-5] CONNACK 5: not authorized
        done(err, false);
        return;
      }
      principals.set(client, p);
      done(null, true);
    },
    authorizePublish(client, packet, callback) {
      // client is null for messages the broker itself publishes (e.g. $SYS); those are trusted.
      const p = client ? principals.get(client) : undefined;
      if (client && (!p || !mayPublish(p, packet.topic))) {
        opts.logger.warn({ clientId: client.id, topic: packet.topic }, 'mqtt publish refused');
        callback(new Error(`publish to ${packet.topic} not allowed`));
        return;
      }
      callback(null);
    },
    authorizeSubscribe(client, sub, callback) {
      const p = principals.get(client);
      if (!p || !maySubscribe(p, sub.topic)) {
        opts.logger.warn({ clientId: client.id, topic: sub.topic }, 'mqtt subscribe refused');
        callback(null, null); // SUBACK 0x80 for this filter, connection stays up
        return;
      }
      callback(null, sub);
    },
    authorizeForward(client, packet) {
      // Defence in depth: deliver only what the receiving client may subscribe to.
      const p = principals.get(client);
      if (p && (p.kind === 'controller' || maySubscribe(p, packet.topic))) return packet;
      return null;
    },
  });
  const server: Server = createServer(broker.handle);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    // Aedes keeps heartbeat timers: close it, or a failed start keeps the process alive.
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    throw err;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return {
    port,
    host: opts.host,
    authFailures: () => failures,
    async close() {
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
