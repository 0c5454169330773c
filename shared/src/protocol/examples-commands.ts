/**
 * Example commands and steps for docs/protocol-reference.md: one per body type and per step kind,
 * as the controller sends them (defaults filled in). See examples.ts.
 */
import type { Command, CommandBody } from './command.js';
import type { Step, StepKind, StepOf } from './steps.js';

const commit = '3b18e512dba79e4c8300dd08aeb37f8e728b8dad';
const repo = 'http://10.0.10.1:8080/bootstrap.git';
/** The run id the examples use; a real controller makes `run-<12 hex>`. */
export const EXAMPLE_RUN_ID = 'run-5e0c1f2a9b3d';
/** The id of the example operator reboot. */
export const EXAMPLE_OPERATOR_ID = 'cmd-3f9b2c1e-8a7d-4e6f-9b0c-1d2e3f4a5b6c';
/** The deadline of every example command. */
export const EXAMPLE_DEADLINE = '2026-11-25T10:15:30.000Z';

/** One step of every kind, as the controller sends them (defaults filled in). */
export const exampleSteps: { [K in StepKind]: StepOf<K> } = {
  'set-hostname': { kind: 'set-hostname', hostname: 'cp-01', timeoutSec: 30 },
  'write-file': {
    kind: 'write-file',
    path: '/etc/modules-load.d/k8s.conf',
    content: 'overlay\nbr_netfilter\n',
    encoding: 'utf8',
    mode: '0644',
    timeoutSec: 30,
  },
  'configure-network': {
    kind: 'configure-network',
    interface: 'eth0',
    address: '10.0.10.10/24',
    gateway: '10.0.10.1',
    dns: ['10.0.10.1'],
    stack: 'auto',
    timeoutSec: 60,
  },
  'run-script': {
    kind: 'run-script',
    repo,
    commit,
    script: 'setup.sh',
    args: [],
    env: {
      OSBUILD_HOSTNAME: 'cp-01',
      OSBUILD_ROLE: 'control-plane',
      OSBUILD_CLUSTER_NAME: 'test-cluster',
      OSBUILD_NODE_LABELS: '',
      OSBUILD_NODE_TAINTS: '',
      OSBUILD_IP: '10.0.10.10',
    },
    timeoutSec: 900,
  },
  reboot: { kind: 'reboot', timeoutSec: 600 },
  'mark-provisioned': { kind: 'mark-provisioned', runId: EXAMPLE_RUN_ID, timeoutSec: 30 },
  'reset-node': { kind: 'reset-node', timeoutSec: 300 },
  'kube-prereqs': { kind: 'kube-prereqs', timeoutSec: 60 },
  'kubeadm-init': {
    kind: 'kubeadm-init',
    nodeName: 'cp-01',
    clusterName: 'test-cluster',
    kubernetesVersion: 'v1.31.2',
    controlPlaneEndpoint: '10.0.10.10:6443',
    advertiseAddress: '10.0.10.10',
    podSubnet: '10.244.0.0/16',
    serviceSubnet: '10.96.0.0/12',
    certSANs: ['cp.example.internal'],
    taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }],
    cniManifest: 'manifests/flannel.yaml',
    repo,
    commit,
    timeoutSec: 900,
  },
  'kubeadm-join': {
    kind: 'kubeadm-join',
    nodeName: 'w-01',
    apiServerEndpoint: '10.0.10.10:6443',
    controlPlane: false,
    advertiseAddress: '10.0.10.11',
    taints: [],
    timeoutSec: 600,
  },
  'kubeadm-upload-certs': { kind: 'kubeadm-upload-certs', timeoutSec: 120 },
  'etcd-member-remove': { kind: 'etcd-member-remove', memberName: 'cp-02', timeoutSec: 120 },
};

/** A run-step command carrying `step` as the `index`th step of {@link EXAMPLE_RUN_ID}. */
export function exampleRunStep(step: Step, index = 0, attempt = 1): Command {
  return {
    v: 1,
    id: `${EXAMPLE_RUN_ID}-${index}-${attempt}`,
    deadline: EXAMPLE_DEADLINE,
    body: { type: 'run-step', runId: EXAMPLE_RUN_ID, index, attempt, step },
  };
}

/** One command of every body type. */
export const exampleCommands: { [K in CommandBody['type']]: Command } = {
  'run-step': exampleRunStep(exampleSteps['set-hostname']),
  reboot: {
    v: 1,
    id: EXAMPLE_OPERATOR_ID,
    deadline: EXAMPLE_DEADLINE,
    idempotencyKey: 'reboot-cp-01-2026-11-25',
    body: { type: 'reboot', timeoutSec: 600 },
  },
  'run-script': {
    v: 1,
    id: 'cmd-7c2d9e4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f',
    deadline: EXAMPLE_DEADLINE,
    body: {
      type: 'run-script',
      repo,
      commit,
      script: 'tools/collect-logs.sh',
      args: ['--since', '1h'],
      timeoutSec: 900,
    },
  },
  'reset-node': {
    v: 1,
    id: 'cmd-0d1e2f3a-4b5c-4d6e-8f7a-9b0c1d2e3f4a',
    deadline: EXAMPLE_DEADLINE,
    body: { type: 'reset-node', timeoutSec: 300 },
  },
};

/** A kubeadm-join command with its just-in-time secrets. */
export const exampleJoinCommand: Command = {
  v: 1,
  id: `${EXAMPLE_RUN_ID}-5-1`,
  deadline: EXAMPLE_DEADLINE,
  body: {
    type: 'run-step',
    runId: EXAMPLE_RUN_ID,
    index: 5,
    attempt: 1,
    step: exampleSteps['kubeadm-join'],
    secrets: {
      token: 'abcdef.0123456789abcdef',
      caCertHash: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
    },
  },
};
