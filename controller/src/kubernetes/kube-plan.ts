import type { Inventory, NodeRole } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { KubePlan } from '../provisioning/kube-hooks.js';

/** The API server nodes join: nodes.yaml's endpoint, else the first control plane's ip, port 6443. */
export function controlPlaneEndpoint(inv: Inventory): string | null {
  if (inv.cluster.controlPlaneEndpoint) {
    const e = inv.cluster.controlPlaneEndpoint;
    return e.includes(':') ? e : `${e}:6443`;
  }
  const cp = inv.nodes.find((n) => n.role === 'control-plane' && n.ip);
  return cp?.ip ? `${cp.ip.split('/')[0]}:6443` : null;
}

/**
 * Who runs kubeadm init: a control plane, while no cluster is managed and no other node's run
 * holds an init step; everyone else joins. Null when nodes.yaml does not ask for kubeadm (or names
 * no endpoint to join, which is logged).
 */
export function kubePlan(
  nodeId: string,
  role: NodeRole,
  cluster: { inventory: Inventory; managed: boolean; nodesWithInit(): readonly string[] },
  logger: Logger,
): KubePlan | null {
  const inv = cluster.inventory;
  if (!inv.cluster.kubeadm) return null;
  const endpoint = controlPlaneEndpoint(inv);
  if (!endpoint) {
    logger.warn('cluster.kubeadm is on but there is no controlPlaneEndpoint and no control plane with an ip');
    return null;
  }
  const initialiser = cluster.nodesWithInit().filter((n) => n !== nodeId);
  const init = !cluster.managed && role === 'control-plane' && initialiser.length === 0;
  return { mode: init ? 'init' : 'join', controlPlaneEndpoint: endpoint };
}
