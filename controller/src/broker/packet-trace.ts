// `--log-level trace` at the broker boundary: every packet in and out, with who sent or got it,
// its size, QoS and retain flag, and its payload as logging/redact.ts allows (secrets never).
// Nothing is computed unless trace is on.
import type { Logger } from 'pino';
import { capField, capOptional } from '../logging/cap-fields.js';
import { tracePayload } from '../logging/redact.js';

/** The parts of a PUBLISH the trace shows (structural, so this file needs no aedes import). */
export interface TracedPublish {
  topic: string;
  payload: Buffer | string;
  qos: number;
  retain: boolean;
}

/** Trace lines of one broker. */
export class PacketTrace {
  constructor(private readonly logger: Logger) {}

  get on(): boolean {
    return this.logger.isLevelEnabled('trace');
  }

  /** A PUBLISH from `clientId` (in) or delivered to it (out). Broker-internal `$SYS` is skipped. */
  publish(dir: 'in' | 'out', clientId: string | undefined, packet: TracedPublish): void {
    if (!this.on || packet.topic.startsWith('$SYS/')) return;
    const bytes =
      typeof packet.payload === 'string' ? Buffer.byteLength(packet.payload) : packet.payload.length;
    this.logger.trace(
      {
        dir,
        client: capOptional(clientId),
        topic: capField(packet.topic),
        bytes,
        qos: packet.qos,
        retain: packet.retain,
        payload: tracePayload(packet.topic, packet.payload),
      },
      `mqtt publish ${dir}`,
    );
  }

  /** CONNECT accepted, SUBSCRIBE, UNSUBSCRIBE or a connection gone: who and what, never a password. */
  client(
    event: 'connected' | 'subscribed' | 'unsubscribed' | 'disconnected',
    clientId: string,
    extra = {},
  ): void {
    if (!this.on) return;
    this.logger.trace({ client: capField(clientId), ...extra }, `mqtt client ${event}`);
  }

  /** Topic filters of a SUBSCRIBE or UNSUBSCRIBE, capped. */
  static filters(subs: ReadonlyArray<string | { topic: string; qos?: number }>): unknown[] {
    return subs
      .slice(0, 16)
      .map((s) => (typeof s === 'string' ? capField(s) : { topic: capField(s.topic), qos: s.qos }));
  }
}
