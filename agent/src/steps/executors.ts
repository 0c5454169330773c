import type { Step, StepKind } from '@osbuild/shared';
import { configureNetwork } from './configure-network.js';
import { etcdMemberRemove } from './kube/etcd-member-remove.js';
import { kubePrereqs } from './kube/kube-prereqs.js';
import { kubeadmInit } from './kube/kubeadm-init.js';
import { kubeadmJoin } from './kube/kubeadm-join.js';
import { kubeadmUploadCerts } from './kube/kubeadm-upload-certs.js';
import { markProvisioned } from './mark-provisioned.js';
import { rebootStep } from './reboot.js';
import { resetNode } from './reset-node.js';
import { runScript } from './run-script.js';
import { setHostname } from './set-hostname.js';
import type { Executor, ExecutorTable } from './types.js';
import { writeFileStep } from './write-file.js';

/** The executor of every step kind (balena-supervisor's `getExecutors()` pattern). */
export const executors: ExecutorTable = {
  'set-hostname': setHostname,
  'write-file': writeFileStep,
  'configure-network': configureNetwork,
  'run-script': runScript,
  reboot: rebootStep,
  'mark-provisioned': markProvisioned,
  'reset-node': resetNode,
  'kube-prereqs': kubePrereqs,
  'kubeadm-init': kubeadmInit,
  'kubeadm-join': kubeadmJoin,
  'kubeadm-upload-certs': kubeadmUploadCerts,
  'etcd-member-remove': etcdMemberRemove,
};

/** The executor for a step, typed so the step and its executor always agree. */
export function executorFor<K extends StepKind>(table: ExecutorTable, kind: K): Executor<K> {
  return table[kind];
}

/** Dispatch a step to its executor. */
export function executeStep(table: ExecutorTable, step: Step, ctx: Parameters<Executor<StepKind>>[1]) {
  // The cast is safe: `step.kind` selects the executor written for exactly that step type.
  const run = executorFor(table, step.kind) as Executor<typeof step.kind>;
  return run(step as never, ctx);
}
