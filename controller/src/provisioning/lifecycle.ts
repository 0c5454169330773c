import type { Command, Welcome } from '@osbuild/shared';
import type { NodeRow } from '../store/node-store.js';
import type { ProvisionerDeps } from './provisioner.js';

/** Phases in which a node is (re)matched against the inventory on hello or inventory change. */
export const UNSETTLED = ['discovered', 'pending', 'matched'] as const;

/** True for phases in {@link UNSETTLED}. */
export const isUnsettled = (phase: string): boolean => (UNSETTLED as readonly string[]).includes(phase);

/** A message to send once the transaction that decided it has committed. */
export type Outgoing = { nodeId: string; cmd: Command } | { nodeId: string; welcome: Welcome };

/**
 * The provisioner's internal operations, shared by enrolment and operator actions. All of them
 * run inside a store transaction and return (or queue) messages instead of sending them.
 */
export interface Lifecycle {
  readonly d: ProvisionerDeps;
  /** The current time as an ISO string. */
  now(): string;
  /** Move a node as far as it can go now; returns the messages to send. */
  advance(nodeId: string): Outgoing[];
  setPhase(nodeId: string, phase: NodeRow['phase'], reason: string): void;
  /** Forget the node's run so it is matched and planned afresh. */
  restart(node: NodeRow, reason: string): void;
  /** Mint the node's credential and return the welcome carrying it. */
  issueCredential(nodeId: string, now: string): Welcome;
  /** Send messages decided by a committed transaction. */
  flush(outbox: Outgoing[]): void;
}
