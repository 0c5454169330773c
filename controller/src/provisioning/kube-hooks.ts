import type { CommandResult, NodeRole, Step, StepSecrets } from '@osbuild/shared';

/** How a node's plan reaches Kubernetes: create the cluster, or join it. */
export interface KubePlan {
  mode: 'init' | 'join';
  controlPlaneEndpoint: string;
}

/** Answer of {@link KubeHooks.prepare}: dispatch now (with these secrets), or wait until the Kubernetes module advances the node again. */
export type Prepared = { ready: true; secrets?: StepSecrets } | { ready: false; reason: string };

/**
 * What the provisioner asks the Kubernetes module (kubernetes/cluster-manager.ts). Optional: a
 * controller without it plans no Kubernetes steps. Every method is synchronous and called inside
 * a store transaction; slow work (API calls) runs after it and ends by asking the provisioner to advance the node.
 */
export interface KubeHooks {
  /** The Kubernetes tail of a node's plan, or null when the inventory does not ask for kubeadm. */
  planFor(nodeId: string, role: NodeRole): KubePlan | null;
  /** The step at `runId/index` is next; may it go out now, and with which secrets? */
  prepare(nodeId: string, hostname: string, step: Step, runId: string, index: number): Prepared;
  /** The command went out with these secrets (kept in memory only, for re-sends). */
  dispatched(cmdId: string, nodeId: string, step: Step, secrets: StepSecrets | undefined): void;
  /** Secrets to re-send a running command with; undefined when they are gone (restart). */
  resend(cmdId: string): StepSecrets | undefined | null;
  /** A result for a command the Kubernetes module sent itself; true when it was one. */
  onOwnResult(nodeId: string, result: CommandResult): boolean;
  /** A plan step's result, before it is stored (the kubeconfig of kubeadm-init is taken here). */
  onStepResult(nodeId: string, step: Step, result: CommandResult): void;
  /** The node's plan completed; its phase may now follow the Node object. */
  onPlanComplete(nodeId: string): void;
}
