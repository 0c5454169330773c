/**
 * A relay between a module that unblocks a node's next step (the Kubernetes module: join secrets
 * made, a cluster to join appeared, a retry delay passed) and the module that advances the node
 * (the provisioner). Owned by neither and created before both, so neither holds the other: the
 * composition root passes this relay to the Kubernetes module as its `resume` port and registers
 * the provisioner's advance on it. Until something is registered a call does nothing, as nothing
 * could be advanced yet.
 */
export class NodeAdvance {
  readonly #advancers: Array<(nodeId: string) => void> = [];

  /** Advance nodes with `advance` from now on. */
  register(advance: (nodeId: string) => void): void {
    this.#advancers.push(advance);
  }

  /** What held `nodeId`'s next step back is done: advance it. */
  nodeUnblocked(nodeId: string): void {
    for (const advance of this.#advancers) advance(nodeId);
  }
}
