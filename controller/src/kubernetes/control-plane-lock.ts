import type { Step } from '@osbuild/shared';
import type { KubeRecords } from './node-records.js';

/** The steps that change etcd membership: kubeadm init, and a join (a control plane's). */
const isKubeadmStep = (step: Pick<Step, 'kind'>) =>
  step.kind === 'kubeadm-init' || step.kind === 'kubeadm-join';

/**
 * One control-plane operation (kubeadm init, a control-plane join) at a time, so etcd never loses
 * quorum to two members changing at once. Held in memory by the node and its step key
 * (`runId/index`); the command id is added once the step went out, so a finished step releases
 * the lock even when its result was missed.
 */
export class ControlPlaneLock {
  #holder: { nodeId: string; key: string; cmdId: string | null } | null = null;

  constructor(private readonly records: Pick<KubeRecords, 'node' | 'stepOfCommand'>) {}

  /** Why another control-plane operation blocks `nodeId`, or null. A finished one is released. */
  blockedFor(nodeId: string): string | null {
    const op = this.#holder;
    if (!op || op.nodeId === nodeId) return null;
    if (op.cmdId) {
      const step = this.records.stepOfCommand(op.cmdId);
      if (step && step.state !== 'running') {
        this.#holder = null;
        return null;
      }
    }
    const other = this.records.node(op.nodeId);
    return `another control-plane operation is running on ${other?.hostname ?? op.nodeId} (one at a time for etcd quorum)`;
  }

  /** `nodeId` starts the operation of step `key` (after {@link blockedFor} said nothing blocks it). */
  take(nodeId: string, key: string): void {
    this.#holder = { nodeId, key, cmdId: null };
  }

  /** The holder's kubeadm step went out as command `cmdId`. */
  dispatched(nodeId: string, step: Pick<Step, 'kind'>, cmdId: string): void {
    if (this.#holder?.nodeId === nodeId && isKubeadmStep(step)) this.#holder.cmdId = cmdId;
  }

  /** The holder's kubeadm step has a result: the next operation may go. */
  finished(nodeId: string, step: Pick<Step, 'kind'>): void {
    if (this.#holder?.nodeId === nodeId && isKubeadmStep(step)) this.#holder = null;
  }

  /** The preparation of step `key` failed before anything went out: let others go meanwhile. */
  releaseKey(key: string): void {
    if (this.#holder?.key === key) this.#holder = null;
  }

  /** The operation in progress for `osbuild cluster status`, or null. */
  describe(): string | null {
    return this.#holder ? `${this.#holder.nodeId} (${this.#holder.key})` : null;
  }
}
