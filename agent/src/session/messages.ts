import {
  type CommandReport,
  type Hello,
  type Identity,
  type NodeEvent,
  type NodeStatus,
  PROTOCOL_VERSION,
  type Telemetry,
} from '@osbuild/shared';
import type { ProvisionedMark } from '../journal/provisioned.js';

/** Retained presence; `online: false` is also the last will. */
export function statusMessage(online: boolean, bootId: string, at: Date): NodeStatus {
  return { v: PROTOCOL_VERSION, online, at: at.toISOString(), bootId };
}

/** The hello sent on every connect. */
export function helloMessage(
  seq: number,
  bootSeq: number,
  identity: Identity,
  provisioned: ProvisionedMark | null,
  at: Date,
): Hello {
  return { v: PROTOCOL_VERSION, seq, bootSeq, at: at.toISOString(), identity, provisioned };
}

/** Distributes `Omit` over the event union, so each variant keeps its own fields. */
type WithoutBase<T> = T extends unknown ? Omit<T, 'v' | 'seq' | 'at'> : never;

/** An event with the common fields filled in. */
export function eventMessage(seq: number, at: Date, event: WithoutBase<NodeEvent>): NodeEvent {
  return { v: PROTOCOL_VERSION, seq, at: at.toISOString(), ...event } as NodeEvent;
}

/** Serialise an outbound message. */
export function encode(message: NodeStatus | Hello | NodeEvent | CommandReport | Telemetry): string {
  return JSON.stringify(message);
}
