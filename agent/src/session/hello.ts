import type { Identity } from '@osbuild/shared';
import type { Logger } from 'pino';
import { readProvisioned } from '../journal/provisioned.js';
import type { MqttConnection } from '../transport/mqtt-connection.js';
import { encode, helloMessage } from './messages.js';

/** What {@link Greeter} needs. */
export interface GreeterDeps {
  identity: Identity;
  /** Re-read the identity for hello (the hostname may have changed since start). */
  rereadIdentity: () => Promise<Identity>;
  stateDir: string;
  bootSeq: number;
  nextSeq: () => number;
  now: () => Date;
  logger: Logger;
}

/**
 * Says who the node is (hello on `hello`, or on `claim` while enrolling) and keeps the identity
 * the session reports: each hello re-reads it, so a renamed host is seen without a restart.
 */
export class Greeter {
  readonly #deps: GreeterDeps;
  #identity: Identity;

  constructor(deps: GreeterDeps) {
    this.#deps = deps;
    this.#identity = deps.identity;
  }

  /** The identity of the last hello (at first the one the session started with). */
  get identity(): Identity {
    return this.#identity;
  }

  /** Publish a hello on `topic` (QoS 1). */
  async sayHello(conn: MqttConnection, topic: string): Promise<void> {
    const { rereadIdentity, stateDir, bootSeq, nextSeq, now, logger } = this.#deps;
    try {
      const fresh = await rereadIdentity();
      // The node id names our topics and client id; it cannot change within a session.
      if (fresh.nodeId === this.#identity.nodeId) this.#identity = fresh;
    } catch (err) {
      logger.warn({ err }, 'cannot re-read identity; sending the previous one');
    }
    const provisioned = await readProvisioned(stateDir);
    const hello = helloMessage(nextSeq(), bootSeq, this.#identity, provisioned, now());
    await conn.publish(topic, encode(hello), { qos: 1 });
  }
}
