import type { NodePhase } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import { capField, TEXT_MAX_BYTES } from '../logging/cap-fields.js';
import { IllegalTransition, inStates, type TransitionTable } from './transition-table.js';

/**
 * The phases a node may move to from each phase (DESIGN.md section 3). Keyed by every phase, so a
 * new phase without an entry does not compile. Staying in the same phase (a new reason) is always
 * allowed; `discovered` is reachable from everywhere because it means "forget the run and match
 * the board afresh" (reprovision windows, `nodes retry --from-start`, a reset).
 */
export const NODE_PHASE_TRANSITIONS: TransitionTable<NodePhase> = {
  discovered: ['pending', 'matched', 'provisioning'],
  pending: ['matched', 'provisioning', 'discovered'],
  matched: ['pending', 'provisioning', 'discovered'],
  provisioning: ['provisioned', 'failed', 'discovered'],
  // A Node object appears (joined, ready) or is deleted again (back to provisioned).
  provisioned: ['joined', 'ready', 'reprovisioning', 'discovered'],
  joined: ['ready', 'provisioned', 'reprovisioning', 'discovered'],
  ready: ['joined', 'provisioned', 'reprovisioning', 'discovered'],
  // `nodes retry` resumes the failed step.
  failed: ['provisioning', 'reprovisioning', 'discovered'],
  // The reset either reports failure or the node comes back to be planned again.
  reprovisioning: ['failed', 'discovered'],
};

/** Named sets of phases, defined once; the rest of the controller asks these instead of listing phases. */
export const PHASE_GROUPS = {
  /** Matched (again) against the inventory on hello or inventory change. */
  unsettled: ['discovered', 'pending', 'matched'],
  /** A Kubernetes Node exists for it: drained before a disruption, kubelet expected to run. */
  joined: ['joined', 'ready'],
  /** The node's own plan has completed; its phase may follow its Node object. */
  planComplete: ['provisioned', 'joined', 'ready'],
  /** An operator may reset and provision it again (`osbuild reprovision`). */
  reprovisionable: ['provisioned', 'joined', 'ready', 'failed'],
  /** `nodes retry --from-start` may start it over. */
  restartable: ['provisioned', 'failed'],
} as const satisfies Record<string, readonly NodePhase[]>;

/** The name of a group in {@link PHASE_GROUPS}. */
export type PhaseGroup = keyof typeof PHASE_GROUPS;

/** True when `phase` belongs to `group`. */
export function inPhaseGroup(group: PhaseGroup, phase: NodePhase): boolean {
  return inStates<NodePhase>(PHASE_GROUPS[group], phase);
}

/** A phase move the table does not allow. */
export class IllegalPhaseTransition extends IllegalTransition<NodePhase> {
  constructor(
    readonly nodeId: string,
    from: NodePhase,
    to: NodePhase,
  ) {
    super(`node ${nodeId}`, 'phase', from, to);
  }
}

/** True when the table allows `from` -> `to` (or they are the same phase). */
export function phaseTransitionAllowed(from: NodePhase, to: NodePhase): boolean {
  return from === to || NODE_PHASE_TRANSITIONS[from].includes(to);
}

/** What the phase owner reads and writes: the store's node and event repositories satisfy it. */
export interface NodePhaseRecords {
  nodes: {
    get(nodeId: string): { phase: NodePhase } | undefined;
    setPhase(nodeId: string, phase: NodePhase, reason: string, now: string): void;
  };
  events: { append(nodeId: string | null, type: string, data: Record<string, unknown>, now: string): void };
  tx<T>(fn: () => T): T;
}

/**
 * The one owner of `nodes.phase`: provisioning, operator commands and the Kubernetes module ask it
 * for a transition. It checks the table, writes the phase with its reason, and records a `phase`
 * event and a log line when the phase changes.
 */
export class NodePhases {
  constructor(private readonly deps: { records: NodePhaseRecords; clock: Clock; logger: Logger }) {}

  /** Move `nodeId` to `to` with `reason`; throws {@link IllegalPhaseTransition}. Unknown nodes are ignored. */
  move(nodeId: string, to: NodePhase, reason: string): void {
    const { records, clock, logger } = this.deps;
    records.tx(() => {
      const from = records.nodes.get(nodeId)?.phase;
      if (from === undefined) return;
      if (!phaseTransitionAllowed(from, to)) throw new IllegalPhaseTransition(nodeId, from, to);
      const now = clock.now().toISOString();
      records.nodes.setPhase(nodeId, to, reason, now);
      if (from !== to) {
        records.events.append(nodeId, 'phase', { from, to, reason }, now);
        // A reason can quote a node's error text: logged capped, stored whole.
        logger.info({ nodeId, from, to, reason: capField(reason, TEXT_MAX_BYTES) }, 'node phase changed');
      }
    });
  }
}
