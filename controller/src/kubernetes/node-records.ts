import type { NodePhase, Step } from '@osbuild/shared';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';

/** A node as the Kubernetes module reads it. */
export interface KubeNodeRecord {
  nodeId: string;
  hostname: string | null;
  phase: NodePhase;
  reason: string;
  online: boolean;
}

/** A plan step as the Kubernetes module reads it (by the id of the command that ran it). */
export interface KubeStepRecord {
  kind: string;
  state: 'pending' | 'running' | 'succeeded' | 'failed';
}

/**
 * What the Kubernetes module reads about nodes and their plans: read-only, records rather than
 * rows, so the module is tested without SQLite and row details stay in one place.
 */
export interface KubeRecords {
  node(nodeId: string): KubeNodeRecord | undefined;
  nodeByHostname(hostname: string): KubeNodeRecord | undefined;
  /** Nodes in one of `phases` (conflict records left out). */
  nodesInPhase(phases: readonly NodePhase[]): KubeNodeRecord[];
  /** Ids of nodes whose running or succeeded run holds a step of `kind` (who initialised the cluster). */
  nodesWithStep(kind: Step['kind']): string[];
  stepOfCommand(cmdId: string): KubeStepRecord | undefined;
}

const toRecord = (
  row: Pick<NodeRecord, 'node_id' | 'hostname' | 'phase' | 'reason' | 'online'>,
): KubeNodeRecord => ({
  nodeId: row.node_id,
  hostname: row.hostname,
  phase: row.phase,
  reason: row.reason,
  online: row.online,
});

/** {@link KubeRecords} over the controller's store. */
export function storeKubeRecords(store: Pick<Store, 'nodes' | 'runs'>): KubeRecords {
  return {
    node: (nodeId) => {
      const row = store.nodes.get(nodeId);
      return row && toRecord(row);
    },
    nodeByHostname: (hostname) => {
      const row = store.nodes.findByHostname(hostname);
      return row && toRecord(row);
    },
    nodesInPhase: (phases) => store.nodes.listInPhase(phases).map(toRecord),
    nodesWithStep: (kind) => store.runs.nodesWithStep(kind),
    stepOfCommand: (cmdId) => {
      const step = store.runs.stepByCmdId(cmdId);
      return step && { kind: step.kind, state: step.state };
    },
  };
}
