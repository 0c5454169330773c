import { controllerStatusSchema, parsePayload } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { MqttConnection } from '../transport/mqtt-connection.js';
import type { LoginMode } from './enrolment.js';
import type { Greeter } from './hello.js';
import type { NodeTopics } from './node-topics.js';

/** What {@link ControllerWatch} needs. */
export interface ControllerWatchDeps {
  topics: NodeTopics;
  greeter: Greeter;
  /** The live connection and its login, or null between connections. */
  current: () => { conn: MqttConnection; mode: LoginMode } | null;
  reject: (what: string, error: string) => void;
  logger: Logger;
}

/**
 * Watches the controller's retained presence. Behind an external broker a controller restart does
 * not drop our connection, so nothing would tell the new controller we exist: a changed
 * `startedAt` is the sign, and the answer is a fresh hello (or claim).
 */
export class ControllerWatch {
  readonly #deps: ControllerWatchDeps;
  #startedAt: string | undefined;
  #sawStatus = false;

  constructor(deps: ControllerWatchDeps) {
    this.#deps = deps;
  }

  /** A new connection: the next retained status is its replay, not news. */
  connected(): void {
    this.#sawStatus = false;
  }

  /** One message on the controller status topic. */
  async onStatus(payload: Buffer, retained: boolean): Promise<void> {
    // An empty retained payload clears the topic; it is not a malformed message.
    if (payload.length === 0) return;
    const parsed = parsePayload(controllerStatusSchema, payload);
    if (!parsed.ok) return this.#deps.reject('controller status', parsed.error);
    const status = parsed.value;
    const baseline = retained && !this.#sawStatus;
    this.#sawStatus = true;
    const changed = status.startedAt !== undefined && status.startedAt !== this.#startedAt;
    if (status.startedAt !== undefined) this.#startedAt = status.startedAt;
    // The retained copy replayed on subscribe is what we already greeted with our connect hello;
    // a new startedAt afterwards means the controller restarted behind an external broker.
    const current = this.#deps.current();
    if (status.online && changed && !baseline && current) {
      const { topics, greeter, logger } = this.#deps;
      logger.info({ startedAt: status.startedAt }, 'controller restarted: saying hello again');
      const topic = current.mode === 'claim' ? topics.claim : topics.hello;
      await greeter.sayHello(current.conn, topic).catch((err) => logger.warn({ err }, 'hello failed'));
    }
  }
}
