/**
 * One example payload per message kind, command body and step kind, exactly as
 * docs/protocol-reference.md shows them (the reference is generated from this file). A test parses
 * every example with its schema, and another walks a whole enrolment and provisioning against a
 * real controller with nothing but these payloads (ids substituted), so they stay true.
 */
import type { Command, CommandBody } from './command.js';
import type { CommandAck, CommandProgress, CommandResult } from './command-result.js';
import type { ControllerStatus } from './controller-status.js';
import type { Hello } from './hello.js';
import type { Identity } from './identity.js';
import type { NodeEvent } from './node-event.js';
import type { NodeStatus } from './node-status.js';
import type { RpcRequest, RpcResponse } from './rpc.js';
import type { Step, StepKind, StepOf } from './steps.js';
import type { Telemetry } from './telemetry.js';
import type { Welcome } from './welcome.js';

const at = '2026-11-25T10:00:00.000Z';
const later = '2026-11-25T10:00:02.500Z';
const bootId = '6f1c2a4e-8d3b-4c1a-9e2f-0a1b2c3d4e5f';
const commit = '3b18e512dba79e4c8300dd08aeb37f8e728b8dad';
const repo = 'http://10.0.10.1:8080/bootstrap.git';
/** The run id the examples use; a real controller makes `run-<12 hex>`. */
export const EXAMPLE_RUN_ID = 'run-5e0c1f2a9b3d';

/** The board of every node example: a Pi 5 whose primary NIC is dc:a6:32:00:00:0a. */
export const exampleIdentity: Identity = {
  nodeId: 'pi-10000000000000a1',
  nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0a' }],
  serial: '10000000000000a1',
  model: 'Raspberry Pi 5 Model B Rev 1.0',
  bootSource: 'nvme',
  bootId,
  agentVersion: '0.1.0',
  imageVersion: '2026.11.25-1',
  hostname: 'raspberrypi',
};

/** The claim (a hello on `claim`) of a board that holds only the image's claim secret. */
export const exampleClaim: Hello = {
  v: 1,
  seq: 0,
  bootSeq: 1,
  at,
  identity: exampleIdentity,
  provisioned: null,
};

/** The hello after the node logged in with its own credential (the same process: seq goes on). */
export const exampleHello: Hello = { ...exampleClaim, seq: 1, at: later };

/** The welcome of each outcome. */
export const exampleWelcomes: { credential: Welcome; pending: Welcome } = {
  credential: {
    v: 1,
    at,
    outcome: 'credential',
    credential: { username: 'pi-10000000000000a1', password: 'mX1tq3bqcJ0pW6c8H9v2Zr4yQ7kL5nA0sD3fG6hJ8kE' },
  },
  pending: {
    v: 1,
    at,
    outcome: 'pending',
    reason: 'pending: unknown: no inventory entry has MAC dc:a6:32:00:00:0a or serial 10000000000000a1',
  },
};

/** Retained node presence: online on connect; the will carries the same with `online: false`. */
export const exampleStatus: NodeStatus = { v: 1, online: true, at: later, bootId };

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

const deadline = '2026-11-25T10:15:30.000Z';

/** A run-step command carrying `step` as the `index`th step of {@link EXAMPLE_RUN_ID}. */
export function exampleRunStep(step: Step, index = 0, attempt = 1): Command {
  return {
    v: 1,
    id: `${EXAMPLE_RUN_ID}-${index}-${attempt}`,
    deadline,
    body: { type: 'run-step', runId: EXAMPLE_RUN_ID, index, attempt, step },
  };
}

const operatorId = 'cmd-3f9b2c1e-8a7d-4e6f-9b0c-1d2e3f4a5b6c';

/** One command of every body type. */
export const exampleCommands: { [K in CommandBody['type']]: Command } = {
  'run-step': exampleRunStep(exampleSteps['set-hostname']),
  reboot: {
    v: 1,
    id: operatorId,
    deadline,
    idempotencyKey: 'reboot-cp-01-2026-11-25',
    body: { type: 'reboot', timeoutSec: 600 },
  },
  'run-script': {
    v: 1,
    id: 'cmd-7c2d9e4f-1a3b-4c5d-8e6f-0a1b2c3d4e5f',
    deadline,
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
    deadline,
    body: { type: 'reset-node', timeoutSec: 300 },
  },
};

/** A kubeadm-join command with its just-in-time secrets. */
export const exampleJoinCommand: Command = {
  v: 1,
  id: `${EXAMPLE_RUN_ID}-5-1`,
  deadline,
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

/** The three shapes on `cmd-result`. */
export const exampleReports: { ack: CommandAck; progress: CommandProgress; result: CommandResult } = {
  ack: { v: 1, type: 'ack', id: operatorId, at, duplicate: false, bootId },
  progress: { v: 1, type: 'progress', id: operatorId, at, state: 'rebooting' },
  result: {
    v: 1,
    id: `${EXAMPLE_RUN_ID}-0-1`,
    outcome: 'succeeded',
    exitCode: 0,
    error: null,
    outputTail: 'hostname set to cp-01\n',
    startedAt: at,
    finishedAt: later,
    changed: true,
  },
};

/** A failed result, and one the agent refused (its deadline had passed). */
export const exampleFailedResults: { failed: CommandResult; rejected: CommandResult } = {
  failed: {
    v: 1,
    id: `${EXAMPLE_RUN_ID}-2-1`,
    outcome: 'failed',
    exitCode: 2,
    error: 'setup.sh failed: exit code 2',
    outputTail: 'setting up cp-01 as control-plane\nE: Unable to locate package foo\n',
    startedAt: at,
    finishedAt: later,
  },
  rejected: {
    v: 1,
    id: operatorId,
    outcome: 'rejected',
    exitCode: null,
    error: `the command's deadline ${deadline} passed before it could start`,
    outputTail: '',
    startedAt: null,
    finishedAt: later,
  },
};

/** One event of every type. */
export const exampleEvents: { [K in NodeEvent['type']]: Extract<NodeEvent, { type: K }> } = {
  'command-started': { v: 1, seq: 2, at, type: 'command-started', cmdId: `${EXAMPLE_RUN_ID}-0-1` },
  'command-output': {
    v: 1,
    seq: 3,
    at,
    type: 'command-output',
    cmdId: `${EXAMPLE_RUN_ID}-0-1`,
    stream: 'stdout',
    text: 'hostname set to cp-01\n',
  },
  log: {
    v: 1,
    seq: 4,
    at,
    type: 'log',
    level: 'warn',
    msg: 'rejected command: body.step.kind: Invalid input',
  },
};

/** One telemetry sample. */
export const exampleTelemetry: Telemetry = {
  v: 1,
  seq: 5,
  at,
  bootId,
  bootSource: 'nvme',
  uptimeSec: 3605.2,
  load: [0.42, 0.35, 0.3],
  cpuPercent: 7.5,
  memory: { totalBytes: 8_454_332_416, availableBytes: 6_912_458_752 },
  socTempC: 48.3,
  throttled: {
    raw: '0x0',
    underVoltageNow: false,
    armFreqCappedNow: false,
    throttledNow: false,
    softTempLimitNow: false,
    underVoltageOccurred: false,
    armFreqCappedOccurred: false,
    throttledOccurred: false,
    softTempLimitOccurred: false,
  },
  disks: [{ mount: '/', totalBytes: 250_059_350_016, usedBytes: 12_884_901_888 }],
  net: [{ iface: 'eth0', rxBytes: 918_274_001, txBytes: 81_920_333 }],
  services: { containerd: 'active', kubelet: 'active' },
  imageVersion: '2026.11.25-1',
  agentVersion: '0.1.0',
  nvme: {
    device: 'nvme0',
    model: 'KIOXIA EXCERIA G2 SSD',
    temperatureC: 41,
    percentUsed: null,
    criticalWarning: null,
  },
};

/** Retained controller presence. */
export const exampleControllerStatus: ControllerStatus = {
  v: 1,
  online: true,
  at,
  version: '0.1.0',
  startedAt: '2026-11-25T09:58:12.004Z',
};

/** An operator request and the two shapes of its answer. */
export const exampleRpc: { request: RpcRequest; ok: RpcResponse; error: RpcResponse } = {
  request: { v: 1, id: 'req-1', replyTo: 'cli-3kq9x', method: 'nodes.why', params: { name: 'cp-01' } },
  ok: {
    v: 1,
    id: 'req-1',
    ok: true,
    data: {
      name: 'cp-01',
      nodeId: 'pi-10000000000000a1',
      phase: 'provisioned',
      reason: 'plan finished',
      online: true,
      waitingFor: 'nothing: the node is provisioned',
      currentStep: null,
      failedStep: null,
      conditions: [],
      lastCommand: null,
    },
  },
  error: { v: 1, id: 'req-1', ok: false, error: { code: 'not-found', message: 'no node named cp-09' } },
};
