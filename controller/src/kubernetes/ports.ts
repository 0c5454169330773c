/**
 * The ports the Kubernetes module takes from the rest of the controller, besides the phase owner
 * (lifecycle/node-phase.ts) and its records (node-records.ts). Narrow on purpose: the module knows
 * no provisioner, only that someone advances a node it has unblocked.
 */

/** A fact for the audit log; never a secret (token ids are public, tokens are not). */
export interface KubeAuditFact {
  action: string;
  target: string;
  result: 'ok' | 'refused';
  detail?: Record<string, unknown>;
}

/** Record a fact in the audit log. */
export type KubeAudit = (fact: KubeAuditFact) => void;

/**
 * Where the Kubernetes module reports that what held a node's next step back is done: its join
 * secrets are prepared, a cluster to join now exists, or the delay before retrying a failed
 * preparation has passed. Whoever drives the node's plan advances it (lifecycle/node-advance.ts
 * relays this to the provisioner).
 */
export interface NodeResume {
  nodeUnblocked(nodeId: string): void;
}
