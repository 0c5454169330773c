import {
  type CommandAck,
  type CommandProgress,
  type CommandResult,
  clipText,
  EVENT_TEXT_MAX,
  fitResult,
  LOG_MSG_MAX,
  PROTOCOL_VERSION,
  splitText,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { OutputStream } from '../host/exec.js';
import type { Journal } from '../journal/journal.js';
import type { MqttConnection } from '../transport/mqtt-connection.js';
import type { LoginMode } from './enrolment.js';
import { encode, eventMessage } from './messages.js';
import type { NodeTopics } from './node-topics.js';
import type { EventSink } from './ports.js';

/** What {@link Outbound} needs. */
export interface OutboundDeps {
  topics: NodeTopics;
  /** Only to mark a result reported once the broker acknowledged it. */
  journal: Pick<Journal, 'markReported'>;
  logger: Logger;
  now: () => Date;
  /** The boot id acks carry: the session's current identity. */
  bootId: () => string;
}

/** An event without the fields every event gets here (version, seq, time). */
type EventBody = Parameters<typeof eventMessage>[2];

/**
 * The session's way out. It holds the connection that is current (set by the connection loop), so
 * nothing else keeps a reference to a connection that has since closed, and it numbers every
 * message. It is also the command loop's {@link EventSink}: progress and results leave through it
 * without the loop knowing about MQTT.
 */
export class Outbound implements EventSink {
  readonly #deps: OutboundDeps;
  #conn: MqttConnection | null = null;
  #mode: LoginMode = 'claim';
  #seq = 0;
  /** Operator commands accepted but not started yet, and the progress state their start reports. */
  readonly #pendingProgress = new Map<string, CommandProgress['state']>();

  constructor(deps: OutboundDeps) {
    this.#deps = deps;
  }

  /** The live connection, or null between connections. */
  get conn(): MqttConnection | null {
    return this.#conn;
  }

  /** How the live connection logged in (meaningful only while `conn` is set). */
  get mode(): LoginMode {
    return this.#mode;
  }

  /** A connection is up: messages go out over it from now on. */
  attach(conn: MqttConnection, mode: LoginMode): void {
    this.#conn = conn;
    this.#mode = mode;
  }

  /** `conn` is gone; a newer connection already attached is kept. */
  detach(conn: MqttConnection): void {
    if (this.#conn === conn) this.#conn = null;
  }

  /** The next sequence number; hello, events and telemetry share one counter per session. */
  nextSeq(): number {
    const s = this.#seq;
    this.#seq += 1;
    return s;
  }

  /** Publish on `conn`; false (logged at debug) when it fails, which callers may ignore. */
  async publish(
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
      this.#deps.logger.debug({ err, topic }, 'publish failed');
      return false;
    }
  }

  /** An event on `events`. */
  event(event: EventBody): void {
    const conn = this.#conn;
    // QoS 0 and best effort: progress is worthless later, results carry the output tail anyway.
    if (conn)
      void this.publish(
        conn,
        this.#deps.topics.events,
        encode(eventMessage(this.nextSeq(), this.#deps.now(), event)),
        0,
      );
  }

  /** A command result; the journal marks it reported once the broker acknowledges it. */
  result(result: CommandResult): void {
    const conn = this.#conn;
    // Offline: the journal keeps it unreported and the next connect re-publishes it.
    if (!conn) return;
    // Cut to the schema's bounds here, or the controller would drop the whole result for size.
    void this.publish(conn, this.#deps.topics.result, encode(fitResult(result)), 1).then(async (acked) => {
      if (acked) await this.#deps.journal.markReported(result.id).catch(() => {});
    });
  }

  /** Acknowledge an operator command on `cmd-result` (QoS 1): accepted, or known already. */
  ack(id: string, duplicate: boolean): void {
    const conn = this.#conn;
    if (!conn) return;
    const ack: CommandAck = {
      v: PROTOCOL_VERSION,
      type: 'ack',
      id,
      at: this.#deps.now().toISOString(),
      duplicate,
      bootId: this.#deps.bootId(),
    };
    void this.publish(conn, this.#deps.topics.result, encode(ack), 1);
  }

  /** Report `state` as progress when command `id` starts (operator commands only). */
  expectProgress(id: string, state: CommandProgress['state']): void {
    this.#pendingProgress.set(id, state);
  }

  commandStarted(cmdId: string): void {
    this.event({ type: 'command-started', cmdId });
    this.#sendProgress(cmdId);
  }

  output(cmdId: string, stream: OutputStream, text: string): void {
    // One chunk may exceed an event's bound (a pipe read is up to 64 KiB): send it in pieces.
    for (const piece of splitText(text, EVENT_TEXT_MAX))
      this.event({ type: 'command-output', cmdId, stream, text: piece });
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void {
    this.event({ type: 'log', level, msg: clipText(msg, LOG_MSG_MAX) });
  }

  #sendProgress(id: string): void {
    const state = this.#pendingProgress.get(id);
    const conn = this.#conn;
    if (!state || !conn) return;
    this.#pendingProgress.delete(id);
    const progress: CommandProgress = {
      v: PROTOCOL_VERSION,
      type: 'progress',
      id,
      at: this.#deps.now().toISOString(),
      state,
    };
    void this.publish(conn, this.#deps.topics.result, encode(progress), 1);
  }
}
