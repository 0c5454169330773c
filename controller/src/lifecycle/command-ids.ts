/**
 * Every command the controller sends an agent carries an id whose prefix names its owner: the one
 * table a `cmd-result` is routed by (server/result-router.ts). An id with no known prefix has no
 * owner and its result is recorded as ignored.
 */
export const COMMAND_ID_PREFIXES = {
  /** Operator commands: reboot, reprovision, run (operator-commands/). */
  operator: 'cmd-',
  /** Steps of a node's plan: `<runId>-<index>-<attempt>` with run ids `run-...` (provisioning/). */
  plan: 'run-',
  /** The Kubernetes module's own agent operations: upload-certs, etcd member removal (kubernetes/). */
  kube: 'kube-op-',
} as const;

/** Who owns a command id. */
export type CommandOwner = keyof typeof COMMAND_ID_PREFIXES;

/** The owner named by `id`'s prefix, or null. */
export function ownerOfCommandId(id: string): CommandOwner | null {
  for (const [owner, prefix] of Object.entries(COMMAND_ID_PREFIXES)) {
    if (id.startsWith(prefix)) return owner as CommandOwner;
  }
  return null;
}
