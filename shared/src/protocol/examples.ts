/**
 * One example payload per message kind, command body and step kind, exactly as
 * docs/protocol-reference.md shows them (the reference is generated from this file). A test parses
 * every example with its schema, and another walks a whole enrolment and provisioning against a
 * real controller with nothing but these payloads (ids substituted), so they stay true.
 */
import type { CommandAck, CommandProgress, CommandResult } from './command-result.js';
import type { ControllerStatus } from './controller-status.js';
import { EXAMPLE_DEADLINE, EXAMPLE_OPERATOR_ID, EXAMPLE_RUN_ID } from './examples-commands.js';
import type { Hello } from './hello.js';
import type { Identity } from './identity.js';
import type { NodeEvent } from './node-event.js';
import type { NodeStatus } from './node-status.js';
import type { RpcRequest, RpcResponse } from './rpc.js';
import type { Telemetry } from './telemetry.js';
import type { Welcome } from './welcome.js';

export * from './examples-commands.js';

const at = '2026-11-25T10:00:00.000Z';
const later = '2026-11-25T10:00:02.500Z';
const bootId = '6f1c2a4e-8d3b-4c1a-9e2f-0a1b2c3d4e5f';

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

/** The three shapes on `cmd-result`. */
export const exampleReports: { ack: CommandAck; progress: CommandProgress; result: CommandResult } = {
  ack: { v: 1, type: 'ack', id: EXAMPLE_OPERATOR_ID, at, duplicate: false, bootId },
  progress: { v: 1, type: 'progress', id: EXAMPLE_OPERATOR_ID, at, state: 'rebooting' },
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
    id: EXAMPLE_OPERATOR_ID,
    outcome: 'rejected',
    exitCode: null,
    error: `the command's deadline ${EXAMPLE_DEADLINE} passed before it could start`,
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
