import {
  type CommandAck,
  type CommandProgress,
  type CommandResult,
  commandSchema,
  controllerStatusSchema,
  type Identity,
  PROTOCOL_VERSION,
  parsePayload,
  type Telemetry,
  topics,
} from '@osbuild/shared';
import type { OutputStream } from '../host/exec.js';
import { discardCredential } from '../journal/credential.js';
import { readProvisioned } from '../journal/provisioned.js';
import { runCommandLoop } from './command-loop.js';
import { CommandQueue } from './command-queue.js';
import { isOperatorCommand } from './command-step.js';
import { acceptWelcome, chooseLogin } from './login.js';
import { encode, eventMessage, helloMessage, statusMessage } from './messages.js';
import type { MqttConnection } from './mqtt-transport.js';
import type { EventSink } from './ports.js';
import type { SessionDeps, TelemetryDeps } from './session-deps.js';

export type { AgentCounters, SessionDeps, TelemetryDeps } from './session-deps.js';

import { sleep, withTimeout } from './sleep.js';

/**
 * One agent "process lifetime": an MQTT connection kept up with jittered backoff, the inbound
 * command handling, and the one-at-a-time command loop. An emulated reboot ends the session
 * abruptly and starts a new one, exactly as a real restart would.
 */
export class AgentSession {
  readonly #d: SessionDeps;
  readonly #ac = new AbortController();
  readonly #queue = new CommandQueue();
  readonly #topics: {
    cmd: string;
    status: string;
    hello: string;
    events: string;
    result: string;
    claim: string;
    welcome: string;
    telemetry: string;
  };
  /** `claim` while enrolling with the image's claim secret, `node` with the node's own credential. */
  #mode: 'node' | 'claim' = 'claim';
  #identity: Identity;
  #conn: MqttConnection | null = null;
  #seq = 0;
  #running: string | null = null;
  #inbound: Promise<void> = Promise.resolve();
  #controllerStartedAt: string | undefined;
  #sawControllerStatus = false;
  #abrupt = false;
  #loops: Promise<unknown> = Promise.resolve();
  #stopTelemetry: () => void = () => {};
  /** Operator commands accepted but not started yet, and the progress state their start reports. */
  readonly #progressState = new Map<string, CommandProgress['state']>();

  constructor(deps: SessionDeps) {
    this.#d = deps;
    this.#identity = deps.identity;
    const id = deps.identity.nodeId;
    this.#topics = {
      cmd: topics.node(id, 'cmd'),
      status: topics.node(id, 'status'),
      hello: topics.node(id, 'hello'),
      events: topics.node(id, 'events'),
      result: topics.node(id, 'cmd-result'),
      claim: topics.node(id, 'claim'),
      welcome: topics.node(id, 'welcome'),
      telemetry: topics.node(id, 'telemetry'),
    };
  }

  get identity(): Identity {
    return this.#identity;
  }

  /** Start connecting and processing in the background. */
  start(): void {
    const sink = this.#sink();
    const t = this.#d.telemetry;
    if (t) this.#stopTelemetry = t.schedule(t.intervalSec, () => this.#sendTelemetry(t));
    this.#loops = Promise.all([
      this.#connectionLoop(),
      runCommandLoop(
        {
          source: this.#queue,
          runner: this.#d.runner,
          sink,
          journal: this.#d.journal,
          bootId: this.#identity.bootId,
          now: this.#d.now,
          logger: this.#d.logger,
          setRunning: (id) => {
            this.#running = id;
          },
          onCommandRun: () => {
            this.#d.counters.commandsRun += 1;
          },
        },
        this.#ac.signal,
      ),
    ]);
  }

  /** Clean stop: abort the running command, publish offline, DISCONNECT (no will). */
  async stop(): Promise<void> {
    const conn = this.#conn;
    this.#stopTelemetry();
    this.#ac.abort(new Error('agent stopping'));
    this.#queue.clear();
    if (conn && this.#mode === 'node') {
      await withTimeout(
        this.#publish(
          conn,
          this.#topics.status,
          encode(statusMessage(false, this.#identity.bootId, this.#d.now())),
          1,
          true,
        ),
        2000,
      );
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
    this.#conn?.destroy();
    await withTimeout(this.#loops, 5000);
  }

  #nextSeq(): number {
    const s = this.#seq;
    this.#seq += 1;
    return s;
  }

  async #publish(
    conn: MqttConnection,
    topic: string,
    payload: string,
    qos: 0 | 1,
    retain = false,
  ): Promise<boolean> {
    try {
      await conn.publish(topic, payload, { qos, retain });
      return true;
    } catch (err) {
      this.#d.logger.debug({ err, topic }, 'publish failed');
      return false;
    }
  }

  #sendEvent(event: Parameters<typeof eventMessage>[2]): void {
    const conn = this.#conn;
    // QoS 0 and best effort: progress is worthless later, results carry the output tail anyway.
    if (conn)
      void this.#publish(
        conn,
        this.#topics.events,
        encode(eventMessage(this.#nextSeq(), this.#d.now(), event)),
        0,
      );
  }

  /** One sample, QoS 0: a lost one is replaced by the next, and stale samples are worthless. */
  async #sendTelemetry(t: TelemetryDeps): Promise<void> {
    const conn = this.#conn;
    // A claim-only session may publish nothing but its claim (access policy).
    if (!conn || this.#mode !== 'node' || this.#ac.signal.aborted) return;
    let sample: Telemetry;
    try {
      sample = await t.collect(this.#nextSeq(), this.#identity);
    } catch (err) {
      this.#d.logger.warn({ err }, 'collecting telemetry failed');
      return;
    }
    if (this.#conn === conn) await this.#publish(conn, this.#topics.telemetry, encode(sample), 0);
  }

  #sendResult(result: CommandResult): void {
    const conn = this.#conn;
    // Offline: the journal keeps it unreported and the next connect re-publishes it.
    if (!conn) return;
    void this.#publish(conn, this.#topics.result, encode(result), 1).then(async (acked) => {
      if (acked) await this.#d.journal.markReported(result.id).catch(() => {});
    });
  }

  #sink(): EventSink {
    return {
      commandStarted: (cmdId) => {
        this.#sendEvent({ type: 'command-started', cmdId });
        this.#sendProgress(cmdId);
      },
      output: (cmdId: string, stream: OutputStream, text: string) =>
        this.#sendEvent({ type: 'command-output', cmdId, stream, text }),
      log: (level, msg) => this.#sendEvent({ type: 'log', level, msg }),
      result: (result) => this.#sendResult(result),
    };
  }

  async #connectionLoop(): Promise<void> {
    const { logger, backoff, counters } = this.#d;
    const signal = this.#ac.signal;
    const aborted = new Promise<void>((resolve) =>
      signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    while (!signal.aborted) {
      let conn: MqttConnection;
      const auth = await this.#credentials();
      try {
        conn = await this.#d.connect({
          url: this.#d.controllerUrl,
          clientId: `agent-${this.#identity.nodeId}`,
          keepaliveSec: this.#d.keepaliveSec,
          ...auth,
          clean: this.#mode === 'claim',
          // Only an enrolled node reports its presence; a claim may publish nothing but its claim.
          ...(this.#mode === 'node'
            ? {
                will: {
                  topic: this.#topics.status,
                  // `at` is the connect time: the broker cannot stamp the will when it fires.
                  payload: encode(statusMessage(false, this.#identity.bootId, this.#d.now())),
                },
              }
            : {}),
        });
      } catch (err) {
        // CONNACK 4/5: our own credential was revoked or rotated; enrol again with the claim.
        const code = (err as { code?: unknown }).code;
        if (this.#mode === 'node' && (code === 4 || code === 5)) {
          logger.warn({ code }, 'the controller refused our credential; falling back to the claim secret');
          await discardCredential(this.#d.stateDir).catch(() => {});
        }
        const delay = backoff.next();
        logger.warn({ err: (err as Error).message, retryInMs: delay }, 'cannot connect to the controller');
        await sleep(delay, signal);
        continue;
      }
      if (signal.aborted) {
        if (this.#abrupt) conn.destroy();
        else await withTimeout(conn.end(), 2000);
        break;
      }
      backoff.reset();
      counters.connects += 1;
      if (counters.connects > 1) counters.reconnects += 1;
      this.#conn = conn;
      this.#sawControllerStatus = false;
      logger.info({ url: this.#d.controllerUrl, nodeId: this.#identity.nodeId }, 'connected');
      try {
        await this.#onConnected(conn);
      } catch (err) {
        logger.warn({ err }, 'setting up the connection failed');
        conn.destroy();
      }
      await Promise.race([conn.closed, aborted]);
      if (this.#conn === conn) this.#conn = null;
      if (signal.aborted) break;
      const delay = backoff.next();
      logger.warn({ retryInMs: delay }, 'connection lost');
      await sleep(delay, signal);
    }
  }

  async #onConnected(conn: MqttConnection): Promise<void> {
    conn.onMessage((topic, payload, retained) => {
      // Serialised, so a duplicate arriving right behind its original sees it queued.
      this.#inbound = this.#inbound
        .then(() => this.#onMessage(topic, payload, retained))
        .catch((err) => this.#d.logger.error({ err }, 'handling a message failed'));
    });
    if (this.#mode === 'claim') {
      // Enrolment: say who we are on the claim topic and wait for our credential on welcome.
      await conn.subscribe([this.#topics.welcome, topics.controllerStatus()], 1);
      await this.#sayHello(conn, this.#topics.claim);
      // Claim again now and then: an operator may approve the board or open a reprovision window
      // at any time, and the controller only answers claims. Stops when this connection ends.
      const timer = setInterval(() => {
        if (this.#conn !== conn) return;
        this.#sayHello(conn, this.#topics.claim).catch((err) =>
          this.#d.logger.debug({ err }, 'claim failed'),
        );
      }, this.#d.reclaimMs ?? 30_000);
      void conn.closed.then(() => clearInterval(timer));
      return;
    }
    await conn.subscribe([this.#topics.cmd, topics.controllerStatus()], 1);
    const { bootId } = this.#identity;
    await conn.publish(this.#topics.status, encode(statusMessage(true, bootId, this.#d.now())), {
      qos: 1,
      retain: true,
    });
    await this.#sayHello(conn);
    for (const result of await this.#d.journal.unreported()) this.#sendResult(result);
  }

  /** The node's own credential when it has one, else the claim secret. */
  async #credentials(): Promise<{ username?: string; password?: string }> {
    const login = await chooseLogin(this.#d.stateDir, this.#d.claimSecret, this.#d.logger);
    this.#mode = login.mode;
    return login.auth;
  }

  async #onWelcome(payload: Buffer): Promise<void> {
    const outcome = await acceptWelcome(payload, this.#d.stateDir, this.#d.logger);
    if (outcome.kind === 'invalid') return this.#reject('welcome', outcome.error);
    if (outcome.kind !== 'stored') return;
    // Ending the claim session makes the connection loop reconnect, now with the credential.
    this.#d.backoff.reset();
    await this.#conn?.end();
  }

  async #sayHello(conn: MqttConnection, topic = this.#topics.hello): Promise<void> {
    try {
      const fresh = await this.#d.rereadIdentity();
      // The node id names our topics and client id; it cannot change within a session.
      if (fresh.nodeId === this.#identity.nodeId) this.#identity = fresh;
    } catch (err) {
      this.#d.logger.warn({ err }, 'cannot re-read identity; sending the previous one');
    }
    const provisioned = await readProvisioned(this.#d.stateDir);
    const hello = helloMessage(this.#nextSeq(), this.#d.bootSeq, this.#identity, provisioned, this.#d.now());
    await conn.publish(topic, encode(hello), { qos: 1 });
  }

  #reject(what: string, error: string): void {
    this.#d.counters.rejectedMessages += 1;
    this.#d.logger.warn({ error }, `rejected ${what}`);
    this.#sendEvent({ type: 'log', level: 'warn', msg: `rejected ${what}: ${error}` });
  }

  async #onMessage(topic: string, payload: Buffer, retained: boolean): Promise<void> {
    if (topic === this.#topics.cmd) return this.#onCommand(payload);
    if (topic === this.#topics.welcome) return this.#onWelcome(payload);
    if (topic === topics.controllerStatus()) return this.#onControllerStatus(payload, retained);
    this.#d.logger.debug({ topic }, 'message on an unexpected topic ignored');
  }

  async #onCommand(payload: Buffer): Promise<void> {
    const parsed = parsePayload(commandSchema, payload);
    if (!parsed.ok) return this.#reject('command', parsed.error);
    const cmd = parsed.value;
    const operator = isOperatorCommand(cmd);
    if (this.#running === cmd.id || this.#queue.has(cmd.id)) {
      this.#d.logger.debug({ cmdId: cmd.id }, 'duplicate of a running or queued command ignored');
      if (operator) this.#sendAck(cmd.id, true);
      return;
    }
    const entry = await this.#d.journal.get(cmd.id);
    if (entry?.state === 'finished' && entry.result) {
      this.#d.logger.info({ cmdId: cmd.id }, 'duplicate command: re-publishing its recorded result');
      if (operator) this.#sendAck(cmd.id, true);
      this.#sendResult(entry.result);
      return;
    }
    if (entry) {
      if (operator) this.#sendAck(cmd.id, true);
      return;
    }
    if (operator) {
      this.#progressState.set(cmd.id, cmd.body.type === 'reboot' ? 'rebooting' : 'running');
      this.#sendAck(cmd.id, false);
    }
    this.#queue.push(cmd);
  }

  /** Acknowledge an operator command on `cmd-result` (QoS 1): accepted, or known already. */
  #sendAck(id: string, duplicate: boolean): void {
    const conn = this.#conn;
    if (!conn) return;
    const ack: CommandAck = {
      v: PROTOCOL_VERSION,
      type: 'ack',
      id,
      at: this.#d.now().toISOString(),
      duplicate,
      bootId: this.#identity.bootId,
    };
    void this.#publish(conn, this.#topics.result, encode(ack), 1);
  }

  #sendProgress(id: string): void {
    const state = this.#progressState.get(id);
    const conn = this.#conn;
    if (!state || !conn) return;
    this.#progressState.delete(id);
    const progress: CommandProgress = {
      v: PROTOCOL_VERSION,
      type: 'progress',
      id,
      at: this.#d.now().toISOString(),
      state,
    };
    void this.#publish(conn, this.#topics.result, encode(progress), 1);
  }

  async #onControllerStatus(payload: Buffer, retained: boolean): Promise<void> {
    // An empty retained payload clears the topic; it is not a malformed message.
    if (payload.length === 0) return;
    const parsed = parsePayload(controllerStatusSchema, payload);
    if (!parsed.ok) return this.#reject('controller status', parsed.error);
    const status = parsed.value;
    const baseline = retained && !this.#sawControllerStatus;
    this.#sawControllerStatus = true;
    const changed = status.startedAt !== undefined && status.startedAt !== this.#controllerStartedAt;
    if (status.startedAt !== undefined) this.#controllerStartedAt = status.startedAt;
    // The retained copy replayed on subscribe is what we already greeted with our connect hello;
    // a new startedAt afterwards means the controller restarted behind an external broker.
    const conn = this.#conn;
    if (status.online && changed && !baseline && conn) {
      this.#d.logger.info({ startedAt: status.startedAt }, 'controller restarted: saying hello again');
      const topic = this.#mode === 'claim' ? this.#topics.claim : this.#topics.hello;
      await this.#sayHello(conn, topic).catch((err) => this.#d.logger.warn({ err }, 'hello failed'));
    }
  }
}
