import type { Inventory, NodePhase } from '@osbuild/shared';
import type { Logger } from 'pino';
import { inPhaseGroup, type NodePhases } from '../lifecycle/node-phase.js';
import type { KubeApi, KubeNode, NodeWatchEvent } from './kube-api.js';
import type { KubeRecords } from './node-records.js';
import { desiredMetadata, metadataPatch, notReadyReason, readyCondition } from './node-sync.js';
import type { RetryTimers } from './retry-timers.js';
import type { TokenHygiene } from './token-hygiene.js';

/** What the Node watch needs. */
export interface NodeWatchDeps {
  /** The current client: a watch of a replaced client is not restarted; patches use the current one. */
  api(): KubeApi | null;
  records: Pick<KubeRecords, 'nodeByHostname'>;
  phases: Pick<NodePhases, 'move'>;
  inventory(): Inventory;
  tokens: Pick<TokenHygiene, 'revokeFor'>;
  retries: RetryTimers;
  logger: Logger;
}

/**
 * Follows the cluster's Node objects with one watch (no polling) and keeps the last seen copy of
 * each. A node whose own plan is done follows its Node: phase `joined` once it exists, `ready`
 * while its Ready condition is True, back to `provisioned` when it is deleted. Its tokens are
 * deleted when the Node first appears, and its labels and taints kept as nodes.yaml says. A watch
 * that breaks is restarted after the retry delay.
 */
export class NodeWatch {
  readonly #nodes = new Map<string, KubeNode>();
  #stop: (() => void) | null = null;

  constructor(private readonly deps: NodeWatchDeps) {}

  /** Watch the Nodes of `api`, ending a previous watch. Never rejects: a failure retries later. */
  async start(api: KubeApi): Promise<void> {
    this.#stop?.();
    this.#stop = null;
    const restart = (err: Error) => {
      if (this.deps.retries.stopped || this.deps.api() !== api) return;
      this.deps.logger.warn({ err: err.message }, 'Node watch ended; restarting');
      this.deps.retries.later(() => void this.start(api).catch(restart));
    };
    try {
      this.#stop = await api.watchNodes((e) => this.#onEvent(api, e), restart);
    } catch (err) {
      restart(err as Error);
    }
  }

  stop(): void {
    this.#stop?.();
  }

  /** The Node object as last seen. */
  node(name: string): KubeNode | undefined {
    return this.#nodes.get(name);
  }

  /** Every Node as last seen. */
  nodes(): KubeNode[] {
    return [...this.#nodes.values()];
  }

  /** The control-plane Nodes as last seen. */
  controlPlaneNodes(): KubeNode[] {
    return this.nodes().filter((n) => n.controlPlane);
  }

  /** The plan of the node named `hostname` completed: its phase may follow its Node now. */
  followPhase(hostname: string): void {
    const kn = this.#nodes.get(hostname);
    if (kn) this.#follow(kn);
  }

  /** After nodes.yaml changed: bring every Node's labels and taints in line. */
  syncAllMetadata(): void {
    for (const n of this.#nodes.values()) this.#syncMetadata(n);
  }

  #onEvent(api: KubeApi, e: NodeWatchEvent): void {
    const name = e.node.name;
    if (e.type === 'DELETED') {
      this.#nodes.delete(name);
      const node = this.deps.records.nodeByHostname(name);
      if (node && inPhaseGroup('joined', node.phase))
        this.deps.phases.move(node.nodeId, 'provisioned', 'its Node object was deleted from the cluster');
      return;
    }
    const first = !this.#nodes.has(name);
    this.#nodes.set(name, e.node);
    const node = this.deps.records.nodeByHostname(name);
    if (!node) return;
    if (first)
      void this.deps.tokens
        .revokeFor(api, name)
        .catch((err: Error) =>
          this.deps.logger.warn({ node: name, err: err.message }, 'could not delete the join token'),
        );
    this.#follow(e.node);
    this.#syncMetadata(e.node);
  }

  /** Phases joined/ready follow the Node, once the node's own plan is done. */
  #follow(kn: KubeNode): void {
    const node = this.deps.records.nodeByHostname(kn.name);
    if (!node || !inPhaseGroup('planComplete', node.phase)) return;
    const ready = readyCondition(kn)?.status === 'True';
    const phase: NodePhase = ready ? 'ready' : 'joined';
    const reason = ready ? `Node ${kn.name} is Ready` : notReadyReason(kn);
    if (node.phase !== phase || node.reason !== reason) this.deps.phases.move(node.nodeId, phase, reason);
  }

  #syncMetadata(kn: KubeNode): void {
    const api = this.deps.api();
    const node = this.deps.records.nodeByHostname(kn.name);
    if (!api || !node) return;
    const inv = this.deps.inventory();
    const entry = inv.nodes.find((n) => n.hostname === kn.name);
    const patch = metadataPatch(kn, desiredMetadata(inv, entry));
    if (!patch) return;
    api
      .patchNode(kn.name, patch)
      .catch((err: Error) =>
        this.deps.logger.warn({ node: kn.name, err: err.message }, 'could not apply labels and taints'),
      );
  }
}
