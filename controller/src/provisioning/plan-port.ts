import type { Command, Welcome } from '@osbuild/shared';
import type { NodeRecord } from '../store/node-store.js';

/** A message to send once the transaction that decided it has committed. */
export type Outgoing = { nodeId: string; cmd: Command } | { nodeId: string; welcome: Welcome };

/**
 * What other lifecycles (operator commands: reprovision) may ask of a node's plan. `forget` and
 * `advance` run inside the caller's transaction and only return messages; `send` delivers them
 * once that transaction has committed, so nothing leaves before its decision is stored.
 */
export interface PlanPort {
  /** Cancel the node's run and move it to `discovered`, to be matched and planned afresh. */
  forget(node: NodeRecord, reason: string): void;
  /** Move a node as far as it can go now; returns the messages to send. */
  advance(nodeId: string): Outgoing[];
  /** Send messages decided by a committed transaction. */
  send(outbox: Outgoing[]): void;
}
