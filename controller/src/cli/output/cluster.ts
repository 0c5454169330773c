import type { ClusterStatusView } from '@osbuild/shared';
import { renderTable } from './table.js';

/** `cluster status` as text: the API server, then one row per Node. */
export function clusterStatusText(s: ClusterStatusView): string {
  if (!s.managed)
    return 'No cluster yet: the first control plane runs kubeadm init when it is provisioned, or adopt one with `osbuild cluster adopt --kubeconfig FILE`.\n';
  const head = `API server ${s.server ?? '?'}${s.controlPlaneOperation ? `; control-plane operation in progress: ${s.controlPlaneOperation}` : ''}\n`;
  if (s.nodes.length === 0) return `${head}No Nodes yet.\n`;
  const rows = s.nodes.map((n) => [
    n.name,
    n.ready ? 'Ready' : 'NotReady',
    n.controlPlane ? 'control-plane' : 'worker',
    n.unschedulable ? 'cordoned' : '',
    n.reason ?? '',
  ]);
  return head + renderTable(['NAME', 'STATUS', 'ROLE', 'SCHEDULING', 'WHY'], rows);
}
