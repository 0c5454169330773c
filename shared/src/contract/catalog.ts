/**
 * The MQTT contract as one table: every message kind with its topic, who may publish and subscribe,
 * QoS, retain, session and will expectations, its schema and its examples. The JSON Schemas in
 * shared/schema/ and docs/protocol-reference.md are generated from it; a controller test checks the
 * publish/subscribe columns against the broker's access policy.
 */
import type { z } from 'zod';
import { commandSchema } from '../protocol/command.js';
import { commandReportSchema } from '../protocol/command-result.js';
import { controllerStatusSchema } from '../protocol/controller-status.js';
import {
  exampleClaim,
  exampleCommands,
  exampleControllerStatus,
  exampleEvents,
  exampleFailedResults,
  exampleHello,
  exampleJoinCommand,
  exampleReports,
  exampleRpc,
  exampleStatus,
  exampleTelemetry,
  exampleWelcomes,
} from '../protocol/examples.js';
import { helloSchema } from '../protocol/hello.js';
import { nodeEventSchema } from '../protocol/node-event.js';
import { nodeStatusSchema } from '../protocol/node-status.js';
import { rpcRequestSchema, rpcResponseSchema } from '../protocol/rpc.js';
import { telemetrySchema } from '../protocol/telemetry.js';
import { welcomeSchema } from '../protocol/welcome.js';

/**
 * Kinds of MQTT principal (controller/src/broker/access-policy.ts). A node or claim principal may
 * only use its own node's topics; an operator only its own `rpc/response/<clientId>`.
 */
export type PrincipalKind = 'controller' | 'node' | 'claim' | 'operator' | 'monitor';

/** One example payload, shown in the reference. */
export interface Example {
  title: string;
  payload: unknown;
}

/** One message kind on one topic. */
export interface MessageKind {
  /** File stem of its JSON Schema (shared/schema/messages/<name>.schema.json) and its heading. */
  name: string;
  /** The topic, with `<nodeId>` or `<clientId>` for the variable level. */
  topic: string;
  direction: string;
  /** Who may publish (the controller may publish anything under osbuild/v1/, listed where it does). */
  publishers: PrincipalKind[];
  /** Who may subscribe (likewise). */
  subscribers: PrincipalKind[];
  qos: 0 | 1;
  retained: boolean;
  /** Session, will and delivery expectations, one sentence each. */
  notes: string[];
  schema: z.ZodType;
  /** The zod export and file holding it. */
  source: string;
  examples: Example[];
}

const agentSession =
  'The agent connects as client id `agent-<nodeId>` with its own credential (username = nodeId) and ' +
  'a persistent session (clean session 0): the broker keeps its `cmd` subscription and queues QoS 1 ' +
  'commands while it is offline or rebooting [MQTT-3.1.2-4].';

/** Every message kind of osbuild/v1, in the order of an enrolment and then the operator topics. */
export const MESSAGE_KINDS: readonly MessageKind[] = [
  {
    name: 'claim',
    topic: 'osbuild/v1/nodes/<nodeId>/claim',
    direction: 'claiming agent → controller',
    publishers: ['claim', 'controller'],
    subscribers: ['controller'],
    qos: 1,
    retained: false,
    notes: [
      'The agent logs in as client id `agent-<nodeId>`, username `claim` and the image’s claim secret, with a clean session (1) and no will: a claim may publish nothing but its claim.',
      'Sent on connect and again every 30 s until a credential arrives, and when the controller’s retained status shows a new `startedAt`.',
      'The payload is a hello; `identity.nodeId` must equal the topic’s nodeId. Beyond 3 claims at once and then 1 per 2 s per node, claims are dropped (`claim-rate`).',
    ],
    schema: helloSchema,
    source: '`helloSchema` (hello.ts)',
    examples: [{ title: 'A board claims', payload: exampleClaim }],
  },
  {
    name: 'welcome',
    topic: 'osbuild/v1/nodes/<nodeId>/welcome',
    direction: 'controller → claiming agent',
    publishers: ['controller'],
    subscribers: ['claim'],
    qos: 1,
    retained: false,
    notes: [
      'The claiming agent subscribes at QoS 1 before it claims. A credential is sent once per issue; the agent stores it 0600, ends the claim session and logs in again with it.',
      'A `pending` answer keeps the board connected; a credential welcome may follow on the same topic when an operator approves it or the inventory matches it.',
    ],
    schema: welcomeSchema,
    source: '`welcomeSchema` (welcome.ts)',
    examples: [
      { title: 'Accepted: the node’s own credential', payload: exampleWelcomes.credential },
      { title: 'Must wait', payload: exampleWelcomes.pending },
    ],
  },
  {
    name: 'hello',
    topic: 'osbuild/v1/nodes/<nodeId>/hello',
    direction: 'agent → controller',
    publishers: ['node', 'controller'],
    subscribers: ['controller'],
    qos: 1,
    retained: false,
    notes: [
      agentSession,
      'Sent on every connect, after subscribing to `cmd` and `controller/status` and publishing the online status; again when the controller’s retained status shows a new `startedAt`.',
      'The controller re-sends the node’s unfinished command after each hello; `identity.nodeId` must equal the topic’s nodeId.',
    ],
    schema: helloSchema,
    source: '`helloSchema` (hello.ts)',
    examples: [{ title: 'Hello with the node’s own credential', payload: exampleHello }],
  },
  {
    name: 'status',
    topic: 'osbuild/v1/nodes/<nodeId>/status',
    direction: 'agent → controller, monitors, operators',
    publishers: ['node', 'controller'],
    subscribers: ['controller', 'monitor', 'operator'],
    qos: 1,
    retained: true,
    notes: [
      'Published retained with `online: true` on every connect. The MQTT will of the node session is this topic, QoS 1, retained, with `online: false` and the connect time as `at`; a clean stop publishes the same before DISCONNECT.',
      'A claim session has no will and may not publish here. An empty retained payload clears the topic and is ignored.',
    ],
    schema: nodeStatusSchema,
    source: '`nodeStatusSchema` (node-status.ts)',
    examples: [
      { title: 'Online', payload: exampleStatus },
      { title: 'The will (offline)', payload: { ...exampleStatus, online: false } },
    ],
  },
  {
    name: 'cmd',
    topic: 'osbuild/v1/nodes/<nodeId>/cmd',
    direction: 'controller → agent',
    publishers: ['controller'],
    subscribers: ['node'],
    qos: 1,
    retained: false,
    notes: [
      'The agent subscribes at QoS 1 in its persistent session, so commands published while it is away arrive when it reconnects.',
      'The agent de-duplicates on `id`: a known id is never run twice (an ack with `duplicate: true` for operator commands, the recorded result again when it has one).',
    ],
    schema: commandSchema,
    source: '`commandSchema` (command.ts)',
    examples: [
      { title: 'A plan step (run-step)', payload: exampleCommands['run-step'] },
      { title: 'kubeadm-join with its just-in-time secrets', payload: exampleJoinCommand },
      { title: 'Operator reboot', payload: exampleCommands.reboot },
      { title: 'Operator run-script (`osbuild run`)', payload: exampleCommands['run-script'] },
      { title: 'Operator reset-node (`osbuild reprovision`)', payload: exampleCommands['reset-node'] },
    ],
  },
  {
    name: 'cmd-result',
    topic: 'osbuild/v1/nodes/<nodeId>/cmd-result',
    direction: 'agent → controller',
    publishers: ['node', 'controller'],
    subscribers: ['controller'],
    qos: 1,
    retained: false,
    notes: [
      'Three shapes, told apart by `type`: `ack` and `progress` (operator commands only) and the result (no `type`).',
      'The agent journals every result and re-publishes it on each connect until the broker acknowledged it (PUBACK), so the controller may see a result twice.',
      'Only the controller may subscribe: a kubeadm result carries a `secret`.',
    ],
    schema: commandReportSchema,
    source: '`commandReportSchema` (command-result.ts)',
    examples: [
      { title: 'Ack of an operator command', payload: exampleReports.ack },
      { title: 'Progress: a reboot started', payload: exampleReports.progress },
      { title: 'Result: succeeded', payload: exampleReports.result },
      { title: 'Result: failed', payload: exampleFailedResults.failed },
      { title: 'Result: rejected (deadline passed)', payload: exampleFailedResults.rejected },
    ],
  },
  {
    name: 'events',
    topic: 'osbuild/v1/nodes/<nodeId>/events',
    direction: 'agent → controller, monitors, operators',
    publishers: ['node', 'controller'],
    subscribers: ['controller', 'monitor', 'operator'],
    qos: 0,
    retained: false,
    notes: [
      'Best effort: not queued while offline; the result’s `outputTail` carries the end of the output anyway.',
    ],
    schema: nodeEventSchema,
    source: '`nodeEventSchema` (node-event.ts)',
    examples: [
      { title: 'command-started', payload: exampleEvents['command-started'] },
      { title: 'command-output', payload: exampleEvents['command-output'] },
      { title: 'log', payload: exampleEvents.log },
    ],
  },
  {
    name: 'telemetry',
    topic: 'osbuild/v1/nodes/<nodeId>/telemetry',
    direction: 'agent → controller, monitors, operators',
    publishers: ['node', 'controller'],
    subscribers: ['controller', 'monitor', 'operator'],
    qos: 0,
    retained: false,
    notes: [
      'Every `telemetryIntervalSec` (default 15) while the node session is up; a lost sample is replaced by the next. At most 8 KiB (`TELEMETRY_MAX_BYTES`).',
    ],
    schema: telemetrySchema,
    source: '`telemetrySchema` (telemetry.ts)',
    examples: [{ title: 'A sample', payload: exampleTelemetry }],
  },
  {
    name: 'controller-status',
    topic: 'osbuild/v1/controller/status',
    direction: 'controller → everyone',
    publishers: ['controller'],
    subscribers: ['controller', 'node', 'claim', 'operator', 'monitor'],
    qos: 1,
    retained: true,
    notes: [
      'Published retained with `online: true` when the controller starts; its will (QoS 1, retained) and a clean stop publish `online: false`.',
      'An agent that sees a new `startedAt` after the retained copy says hello (or claims) again: the controller restarted behind an external broker.',
    ],
    schema: controllerStatusSchema,
    source: '`controllerStatusSchema` (controller-status.ts)',
    examples: [{ title: 'Online', payload: exampleControllerStatus }],
  },
  {
    name: 'rpc-request',
    topic: 'osbuild/v1/rpc/request',
    direction: 'operator CLI → controller',
    publishers: ['operator', 'controller'],
    subscribers: ['controller'],
    qos: 1,
    retained: false,
    notes: [
      'The CLI logs in as an operator with client id `cli-<id>` and a clean session; `replyTo` must be its own client id. `params` is checked per method (shared/schema/rpc/).',
    ],
    schema: rpcRequestSchema,
    source: '`rpcRequestSchema` (rpc.ts)',
    examples: [{ title: 'nodes.why', payload: exampleRpc.request }],
  },
  {
    name: 'rpc-response',
    topic: 'osbuild/v1/rpc/response/<clientId>',
    direction: 'controller → operator CLI',
    publishers: ['controller'],
    subscribers: ['operator', 'controller'],
    qos: 1,
    retained: false,
    notes: [
      'An operator may subscribe only to its own `<clientId>`; `data` is checked per method (shared/schema/rpc/).',
    ],
    schema: rpcResponseSchema,
    source: '`rpcResponseSchema` (rpc.ts)',
    examples: [
      { title: 'Success', payload: exampleRpc.ok },
      { title: 'Error', payload: exampleRpc.error },
    ],
  },
];
