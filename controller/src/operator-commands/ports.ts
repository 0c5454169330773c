import type { Lifecycle } from '../provisioning/lifecycle.js';
import type { NodeRow } from '../store/node-store.js';

/**
 * What a reprovision needs from provisioning: forget the node's run, plan it again, and send what
 * that decided once the transaction has committed.
 */
export type ProvisioningRestart = Pick<Lifecycle, 'restart' | 'advance' | 'flush'>;

/**
 * Runs before a reboot or reprovision of a node that may carry workloads: cordon and drain it.
 * The Kubernetes integration provides the real one; without it the controller does nothing here.
 * `force` means the operator asked to skip the drain (audited by the caller); an implementation may
 * still cordon. Rejecting fails the command with the error's message and nothing is sent.
 */
export interface Disruption {
  /** `action` lets a reprovision also remove the node from the cluster (it comes back new). */
  beforeDisruption(node: NodeRow, opts: { force: boolean; action: 'reboot' | 'reprovision' }): Promise<void>;
}

/** The default {@link Disruption}: no cluster integration, nothing to drain. */
export const noDisruption: Disruption = {
  async beforeDisruption() {},
};

/**
 * Resets a netboot node's root filesystem to a fresh copy of its image (the netboot server owns
 * the roots). Absent by default: reprovisioning a netboot node then fails with a clear reason.
 */
export interface NetbootReset {
  resetRoot(
    nodeName: string,
    opts: { nodeId: string; force: boolean },
  ): Promise<{ image?: string } | undefined>;
}

/** Who a power hook acts on: its environment carries these (never a secret). */
export interface PowerTarget {
  name: string;
  nodeId?: string;
  serial?: string | null;
  mac?: string | null;
}

/** What a power hook did; `why` says how it failed (exit code or timeout) when `ok` is false. */
export interface PowerHookOutput {
  command: readonly string[];
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  why: string;
}

/**
 * Power-cycles a board whose agent is unreachable (netboot.yaml `powerHooks`, e.g. a PoE switch
 * port). Absent by default: a reboot or reprovision of an offline node then waits in the queue.
 */
export interface PowerHooks {
  /** argv of the node's hook, or undefined when none is configured for it. */
  hookFor(nodeName: string): readonly string[] | undefined;
  /** Run the hook (no shell, with a timeout); resolves with its output whether or not it failed. */
  run(target: PowerTarget): Promise<PowerHookOutput>;
}
