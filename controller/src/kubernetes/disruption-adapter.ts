// Adapts the Kubernetes module to the reboot/reprovision commands' Disruption port: drain before
// either, and for a reprovision also remove the Node object (and a control plane's etcd member),
// so the cluster keeps no ghost of the node's previous life.
import type { Disruption } from '../operator-commands/ports.js';
import type { ClusterManager } from './cluster-manager.js';

/** The commands' {@link Disruption} backed by the cluster this controller manages. */
export function kubeDisruptionAdapter(
  cluster: Pick<ClusterManager, 'api' | 'disruption' | 'removeNode'>,
  drainDeadlineMs?: number,
): Disruption {
  const drain = cluster.disruption(drainDeadlineMs);
  return {
    async beforeDisruption(node, { force, action }) {
      // Kubernetes knows a node by its hostname; a node without one never joined.
      if (!node.hostname || !cluster.api) return;
      // An offline agent means a dead kubelet: evicted pods would never finish terminating.
      await drain.beforeDisruption(node.hostname, { force, unreachable: !node.online });
      if (action === 'reprovision') await cluster.removeNode(node.hostname, { force });
    },
  };
}
