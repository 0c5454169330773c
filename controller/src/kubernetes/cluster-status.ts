import type { ClusterStatusView } from '@osbuild/shared';
import type { KubeApi, KubeNode } from './kube-api.js';
import { notReadyReason, readyCondition } from './node-sync.js';

/** The cluster as `osbuild cluster status` shows it, from what the controller last saw. */
export function clusterStatus(
  api: KubeApi | null,
  controlPlaneOperation: string | null,
  nodes: readonly KubeNode[],
): ClusterStatusView {
  return {
    managed: api !== null,
    server: api?.server ?? null,
    controlPlaneOperation,
    nodes: nodes
      .map((n) => {
        const ready = readyCondition(n)?.status === 'True';
        return {
          name: n.name,
          ready,
          controlPlane: n.controlPlane,
          unschedulable: n.unschedulable,
          reason: ready ? null : notReadyReason(n),
        };
      })
      .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

/** Why a joined node is not Ready (`osbuild nodes why`), from its Node conditions; null when that is not the question. */
export function notReadyExplanation(node: KubeNode | undefined): string | null {
  if (!node) return null;
  return readyCondition(node)?.status === 'True' ? null : notReadyReason(node);
}
