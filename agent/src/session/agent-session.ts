import type { Identity, Telemetry } from '@osbuild/shared';
import type { MqttConnection } from '../transport/mqtt-connection.js';
import { CommandIntake } from './command-intake.js';
import { runCommandLoop } from './command-loop.js';
import { CommandQueue } from './command-queue.js';
import { runConnectionLoop } from './connection-loop.js';
import { ControllerWatch } from './controller-watch.js';
import { Enrolment, type LoginMode } from './enrolment.js';
import { Greeter } from './hello.js';
import { encode, statusMessage } from './messages.js';
import { type NodeTopics, nodeTopics } from './node-topics.js';
import { Outbound } from './outbound.js';
import type { SessionDeps, TelemetryDeps } from './session-deps.js';
import { withTimeout } from './sleep.js';

export type { AgentCounters, SessionDeps, TelemetryDeps } from './session-deps.js';

/**
 * One agent "process lifetime": an MQTT connection kept up with jittered backoff, the inbound
 * command handling, and the one-at-a-time command loop. An emulated reboot ends the session
 * abruptly and starts a new one, exactly as a real restart would.
 *
 * This class only assembles the parts and routes inbound messages to them: the connection loop
 * (connection-loop.ts), enrolment (enrolment.ts), command intake (command-intake.ts), the outbound
 * sink (outbound.ts) and the controller watch (controller-watch.ts).
 */
export class AgentSession {
  readonly #deps: SessionDeps;
  readonly #ac = new AbortController();
  readonly #queue = new CommandQueue();
  readonly #topics: NodeTopics;
  readonly #outbound: Outbound;
  readonly #greeter: Greeter;
  readonly #enrolment: Enrolment;
  readonly #intake: CommandIntake;
  readonly #watch: ControllerWatch;
  #inbound: Promise<void> = Promise.resolve();
  #abrupt = false;
  #loops: Promise<unknown> = Promise.resolve();
  #stopTelemetry: () => void = () => {};

  constructor(deps: SessionDeps) {
    this.#deps = deps;
    const { journal, logger, now } = deps;
    const topics = nodeTopics(deps.identity.nodeId);
    this.#topics = topics;
    const reject = (what: string, error: string) => this.#reject(what, error);
    this.#outbound = new Outbound({ topics, journal, logger, now, bootId: () => this.identity.bootId });
    const outbound = this.#outbound;
    this.#greeter = new Greeter({
      identity: deps.identity,
      rereadIdentity: deps.rereadIdentity,
      stateDir: deps.stateDir,
      bootSeq: deps.bootSeq,
      nextSeq: () => outbound.nextSeq(),
      now,
      logger,
    });
    const greeter = this.#greeter;
    this.#enrolment = new Enrolment({
      topics,
      stateDir: deps.stateDir,
      reclaimMs: deps.reclaimMs,
      backoff: deps.backoff,
      greeter,
      currentConnection: () => outbound.conn,
      reject,
      logger,
    });
    this.#intake = new CommandIntake({ queue: this.#queue, journal, outbound, reject, logger, now });
    this.#watch = new ControllerWatch({
      topics,
      greeter,
      current: () => (outbound.conn ? { conn: outbound.conn, mode: outbound.mode } : null),
      reject,
      logger,
    });
  }

  get identity(): Identity {
    return this.#greeter.identity;
  }

  /** Start connecting and processing in the background. */
  start(): void {
    const { telemetry, runner, journal, now, logger, counters } = this.#deps;
    if (telemetry)
      this.#stopTelemetry = telemetry.schedule(telemetry.intervalSec, () => this.#sendTelemetry(telemetry));
    this.#loops = Promise.all([
      runConnectionLoop(
        {
          controllerUrl: this.#deps.controllerUrl,
          keepaliveSec: this.#deps.keepaliveSec,
          connect: this.#deps.connect,
          backoff: this.#deps.backoff,
          stateDir: this.#deps.stateDir,
          claimSecret: this.#deps.claimSecret,
          counters,
          logger,
          now,
          topics: this.#topics,
          identity: () => this.identity,
          outbound: this.#outbound,
          onConnected: (conn, mode) => this.#onConnected(conn, mode),
          abrupt: () => this.#abrupt,
        },
        this.#ac.signal,
      ),
      runCommandLoop(
        {
          source: this.#queue,
          runner,
          sink: this.#outbound,
          journal,
          bootId: this.identity.bootId,
          now,
          logger,
          setRunning: (id) => this.#intake.markRunning(id),
          onCommandRun: () => {
            counters.commandsRun += 1;
          },
        },
        this.#ac.signal,
      ),
    ]);
  }

  /** Clean stop: abort the running command, publish offline, DISCONNECT (no will). */
  async stop(): Promise<void> {
    const conn = this.#outbound.conn;
    const mode = this.#outbound.mode;
    this.#stopTelemetry();
    this.#ac.abort(new Error('agent stopping'));
    this.#queue.clear();
    if (conn && mode === 'node') {
      const offline = encode(statusMessage(false, this.identity.bootId, this.#deps.now()));
      await withTimeout(this.#outbound.publish(conn, this.#topics.status, offline, 1, true), 2000);
      const ended = await withTimeout(
        conn.end().then(() => true),
        2000,
      );
      if (!ended) conn.destroy();
    } else if (conn) {
      await withTimeout(conn.end(), 2000);
    }
    await withTimeout(this.#loops, 5000);
  }

  /** Abrupt end, as if the process died: no offline status, the broker publishes the will. */
  async kill(): Promise<void> {
    this.#abrupt = true;
    this.#stopTelemetry();
    this.#ac.abort(new Error('session restarting'));
    this.#queue.clear();
    this.#outbound.conn?.destroy();
    await withTimeout(this.#loops, 5000);
  }

  async #onConnected(conn: MqttConnection, mode: LoginMode): Promise<void> {
    this.#watch.connected();
    conn.onMessage((topic, payload, retained) => {
      // Serialised, so a duplicate arriving right behind its original sees it queued.
      this.#inbound = this.#inbound
        .then(() => this.#route(topic, payload, retained))
        .catch((err) => this.#deps.logger.error({ err }, 'handling a message failed'));
    });
    if (mode === 'claim') await this.#enrolment.begin(conn);
    else await this.#announce(conn);
  }

  /** An enrolled node's connect: take commands, show online, say hello, catch up on results. */
  async #announce(conn: MqttConnection): Promise<void> {
    const topics = this.#topics;
    await conn.subscribe([topics.cmd, topics.controllerStatus], 1);
    const online = encode(statusMessage(true, this.identity.bootId, this.#deps.now()));
    await conn.publish(topics.status, online, { qos: 1, retain: true });
    await this.#greeter.sayHello(conn, topics.hello);
    for (const result of await this.#deps.journal.unreported()) this.#outbound.result(result);
  }

  async #route(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    if (topic === this.#topics.cmd) return this.#intake.take(payload);
    if (topic === this.#topics.welcome) return this.#enrolment.onWelcome(payload);
    if (topic === this.#topics.controllerStatus) return this.#watch.onStatus(payload, retained);
    this.#deps.logger.debug({ topic }, 'message on an unexpected topic ignored');
  }

  #reject(what: string, error: string): void {
    this.#deps.counters.rejectedMessages += 1;
    this.#deps.logger.warn({ error }, `rejected ${what}`);
    this.#outbound.log('warn', `rejected ${what}: ${error}`);
  }

  /** One sample, QoS 0: a lost one is replaced by the next, and stale samples are worthless. */
  async #sendTelemetry(telemetry: TelemetryDeps): Promise<void> {
    const conn = this.#outbound.conn;
    // A claim-only session may publish nothing but its claim (access policy).
    if (!conn || this.#outbound.mode !== 'node' || this.#ac.signal.aborted) return;
    let sample: Telemetry;
    try {
      sample = await telemetry.collect(this.#outbound.nextSeq(), this.identity);
    } catch (err) {
      this.#deps.logger.warn({ err }, 'collecting telemetry failed');
      return;
    }
    if (this.#outbound.conn === conn)
      await this.#outbound.publish(conn, this.#topics.telemetry, encode(sample), 0);
  }
}
