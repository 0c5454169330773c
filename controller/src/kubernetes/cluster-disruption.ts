import type { CommandResult, Step } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import { type DisruptionDeps, drainNode, type KubeDrain, kubeDisruption, removeNode } from './disruption.js';
import type { KubeApi, KubeNode } from './kube-api.js';
import type { KubeRecords } from './node-records.js';
import type { KubeAudit } from './ports.js';

/** What binding drain and removal to the managed cluster needs. */
export interface ClusterDisruptionSources {
  api(): KubeApi | null;
  node(name: string): KubeNode | undefined;
  controlPlaneNodes(): KubeNode[];
  records: Pick<KubeRecords, 'nodeByHostname'>;
  runOnNode(nodeId: string, step: Step): Promise<CommandResult>;
  clock: Clock;
  logger: Logger;
  audit: KubeAudit;
}

/**
 * Drain and removal (disruption.ts) bound to the cluster this controller manages: its current
 * client, the Nodes its watch saw, and the agents of its nodes (etcd member removal runs on
 * another control plane's agent, found by hostname). What reboot and reprovision go through.
 */
export class ClusterDisruption {
  constructor(private readonly sources: ClusterDisruptionSources) {}

  /** The deps of drain and removal; `report` gets progress and waiting reasons (default: the log). */
  deps(report: (message: string) => void = (m) => this.sources.logger.info(m)): DisruptionDeps {
    const from = this.sources;
    return {
      api: () => from.api(),
      node: (name) => from.node(name),
      controlPlaneNodes: () => from.controlPlaneNodes(),
      runOnHost: async (hostname, step) => {
        const n = from.records.nodeByHostname(hostname);
        if (!n) throw new Error(`no node named ${hostname} to run ${step.kind} on`);
        await from.runOnNode(n.nodeId, step);
      },
      now: () => from.clock.now().getTime(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      report,
      audit: from.audit,
    };
  }

  /** Cordon and drain a Node through the eviction API (PodDisruptionBudgets honoured). */
  drainNode(
    name: string,
    opts: { deadlineMs: number; force?: boolean; pollMs?: number },
  ): Promise<{ evicted: number }> {
    return drainNode(this.deps(), name, opts);
  }

  /** Delete a Node (and a control plane's etcd member) so the cluster keeps no ghost. */
  removeNode(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return removeNode(this.deps(), name, opts);
  }

  /** The port reboot/reprovision call before disrupting a node. */
  beforeDisruption(drainDeadlineMs: number): KubeDrain {
    return kubeDisruption(this.deps(), drainDeadlineMs);
  }
}
