import { z } from 'zod';
import { nodeCondition } from './conditions.js';
import { envelopeOf, errorBody } from './envelope.js';
import { bootSource, nodeId } from './identity.js';
import { commandAction, commandState, commandView, eventView, logLineView } from './operator-commands.js';
import { nodePhase } from './phases.js';
import { telemetrySchema } from './telemetry.js';
import { protocolVersion } from './version.js';

/** Node roles in the inventory. */
export const nodeRole = z.enum(['control-plane', 'worker']);
/** Inferred {@link nodeRole}. */
export type NodeRole = z.infer<typeof nodeRole>;

/** One step of a run as operators see it. */
export const stepView = z.object({
  index: z.number().int(),
  kind: z.string(),
  state: z.enum(['pending', 'running', 'succeeded', 'failed']),
  attempt: z.number().int(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  exitCode: z.number().int().nullable(),
  error: z.string().nullable(),
  outputTail: z.string(),
});
/** Inferred {@link stepView}. */
export type StepView = z.infer<typeof stepView>;

/** A node as `nodes ls` lists it. `name` is the inventory hostname, or the nodeId when unmatched. */
export const nodeSummary = z.object({
  name: z.string(),
  nodeId,
  hostname: z.string().nullable(),
  mac: z.string().nullable(),
  serial: z.string().nullable(),
  role: nodeRole.nullable(),
  ip: z.string().nullable(),
  phase: nodePhase,
  reason: z.string(),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  phaseSince: z.string(),
  /** Health conditions that hold now (empty when healthy or nothing is known yet). */
  conditions: z.array(nodeCondition),
});
/** Inferred {@link nodeSummary}. */
export type NodeSummary = z.infer<typeof nodeSummary>;

/** A node with its hardware identity and current run, for `nodes show`. */
export const nodeDetail = nodeSummary.extend({
  model: z.string().nullable(),
  bootSource: bootSource.nullable(),
  bootId: z.string().nullable(),
  agentVersion: z.string().nullable(),
  imageVersion: z.string().nullable(),
  macs: z.array(z.string()),
  firstSeen: z.string(),
  run: z
    .object({ id: z.string(), state: z.string(), createdAt: z.string(), steps: z.array(stepView) })
    .nullable(),
  /** The latest telemetry sample the node sent, or null when none has arrived yet. */
  telemetry: telemetrySchema.nullable(),
});
/** Inferred {@link nodeDetail}. */
export type NodeDetail = z.infer<typeof nodeDetail>;

/** The answer to "why is this node where it is". */
export const nodeWhy = z.object({
  name: z.string(),
  nodeId,
  phase: nodePhase,
  reason: z.string(),
  online: z.boolean(),
  /** One sentence: what the node is waiting for, or what the operator should do. */
  waitingFor: z.string(),
  currentStep: stepView.nullable(),
  failedStep: stepView.nullable(),
  conditions: z.array(nodeCondition),
  /** The node's latest operator command (reboot, reprovision, run), live or finished; null if none. */
  lastCommand: z
    .object({
      id: z.string(),
      action: commandAction,
      state: commandState,
      reason: z.string(),
      createdAt: z.string(),
    })
    .nullable(),
});
/** Inferred {@link nodeWhy}. */
export type NodeWhy = z.infer<typeof nodeWhy>;

const nameParams = z.object({ name: z.string().min(1) });

/** Roles of human and tool principals (nodes are a principal kind of their own). */
export const principalRole = z.enum(['operator', 'monitor']);
/** Inferred {@link principalRole}. */
export type PrincipalRole = z.infer<typeof principalRole>;

/** Names of operator and monitor users. */
export const userName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'expected a user name like alice or grafana');

/** The Kubernetes cluster as the controller follows it (`osbuild cluster status`). */
export const clusterStatusView = z.object({
  /** False until kubeadm init ran through a node or a kubeconfig was adopted. */
  managed: z.boolean(),
  server: z.string().nullable(),
  /** The control-plane operation in progress (one at a time), if any. */
  controlPlaneOperation: z.string().nullable(),
  nodes: z.array(
    z.object({
      name: z.string(),
      ready: z.boolean(),
      controlPlane: z.boolean(),
      unschedulable: z.boolean(),
      /** Why it is not Ready, from its conditions; null when Ready. */
      reason: z.string().nullable(),
    }),
  ),
});
/** Inferred {@link clusterStatusView}. */
export type ClusterStatusView = z.infer<typeof clusterStatusView>;

/** Every operator method: its params and the data of its success response. */
export const rpcMethods = {
  'nodes.list': { params: z.object({}), result: z.array(nodeSummary) },
  'nodes.show': { params: nameParams, result: nodeDetail },
  'nodes.why': { params: nameParams, result: nodeWhy },
  'cluster.status': { params: z.object({}), result: clusterStatusView },
  'nodes.approve': {
    params: z.object({ nodeId, hostname: z.string().min(1), role: nodeRole.optional() }),
    result: nodeSummary,
  },
  'nodes.retry': {
    params: z.object({ name: z.string().min(1), fromStart: z.boolean().optional() }),
    result: nodeSummary,
  },
  'nodes.rotate-credential': {
    params: nameParams,
    result: z.object({ name: z.string(), nodeId, revokedAt: z.string(), windowExpiresAt: z.string() }),
  },
  'nodes.reprovision': {
    params: z.object({
      name: z.string().min(1),
      windowSec: z.number().int().positive().max(86_400).optional(),
    }),
    result: z.object({ name: z.string(), nodeId, windowExpiresAt: z.string() }),
  },
  'users.add': {
    params: z.object({ name: userName, role: principalRole }),
    result: z.object({ name: z.string(), role: principalRole, password: z.string() }),
  },
  'users.list': {
    params: z.object({}),
    result: z.array(z.object({ name: z.string(), role: principalRole, createdAt: z.string() })),
  },
  'users.remove': {
    params: z.object({ name: userName }),
    result: z.object({ name: z.string(), removed: z.boolean() }),
  },
  'claims.add': {
    params: z.object({}),
    result: z.object({ id: z.string(), secret: z.string(), createdAt: z.string() }),
  },
  'claims.list': {
    params: z.object({}),
    result: z.array(z.object({ id: z.string(), createdAt: z.string(), revokedAt: z.string().nullable() })),
  },
  'claims.revoke': {
    params: z.object({ id: z.string().min(1) }),
    result: z.object({ id: z.string(), revokedAt: z.string() }),
  },
  /** Resolve names and/or a label selector (`role=worker,zone!=a`) to known nodes. */
  'commands.targets': {
    params: z.object({ names: z.array(z.string().min(1)).max(10_000), selector: z.string().optional() }),
    result: z.object({
      nodes: z.array(z.object({ name: z.string(), nodeId, online: z.boolean(), phase: nodePhase })),
      /** Inventory hostnames that match the selector but have never said hello. */
      unseen: z.array(z.string()),
    }),
  },
  /** Create one command for one node, or return the existing one with the same idempotency key. */
  'commands.create': {
    params: z.object({
      action: commandAction,
      name: z.string().min(1),
      script: z.string().min(1).optional(),
      args: z.array(z.string()).max(64).optional(),
      idempotencyKey: z.string().min(1).max(128).optional(),
      /** How long a command for an offline node waits before it expires (default 3600). */
      ttlSec: z
        .number()
        .int()
        .positive()
        .max(7 * 86_400)
        .optional(),
      /** How long the node has once the command is sent (defaults per action). */
      timeoutSec: z
        .number()
        .int()
        .positive()
        .max(24 * 3600)
        .optional(),
      /** Skip the drain of a joined node (audited). */
      force: z.boolean().optional(),
    }),
    result: z.object({ command: commandView, created: z.boolean() }),
  },
  'commands.show': { params: z.object({ id: z.string().min(1) }), result: commandView },
  'commands.list': {
    params: z.object({
      name: z.string().optional(),
      limit: z.number().int().positive().max(1000).optional(),
    }),
    result: z.array(commandView),
  },
  /** Stored events, oldest first, after `afterId` (0 for the latest `limit`). */
  'events.list': {
    params: z.object({
      name: z.string().optional(),
      afterId: z.number().int().nonnegative().optional(),
      limit: z.number().int().positive().max(1000).optional(),
    }),
    result: z.array(eventView),
  },
  /** Recorded output and agent log lines of one node, oldest first, after `afterId`. */
  'logs.get': {
    params: z.object({
      name: z.string().min(1),
      afterId: z.number().int().nonnegative().optional(),
      limit: z.number().int().positive().max(5000).optional(),
    }),
    result: z.array(logLineView),
  },
  'controller.stats': {
    params: z.object({}),
    result: z.object({
      version: z.string(),
      startedAt: z.string(),
      nodes: z.number().int(),
      inventory: z.object({
        path: z.string(),
        entries: z.number().int(),
        loadedAt: z.string(),
        lastError: z.string().nullable(),
      }),
      rejectedMessages: z.record(z.string(), z.number().int()),
      /** MQTT logins refused since the controller started. */
      failedLogins: z.number().int(),
      /**
       * Node input past its bounds since the controller started: messages dropped over their
       * per-node rate (by kind; by node for the 20 nodes that dropped most) and log and event rows
       * deleted over a node's storage quota. Absent from controllers older than these limits.
       */
      nodeLimits: z
        .object({
          byKind: z.record(z.string(), z.number().int()),
          byNode: z.record(z.string(), z.record(z.string(), z.number().int())),
          quotaDeleted: z.record(z.string(), z.number().int()),
        })
        .optional(),
    }),
  },
} as const;
/** Names of operator methods. */
export type RpcMethod = keyof typeof rpcMethods;
/** Params of one method. */
export type RpcParams<M extends RpcMethod> = z.infer<(typeof rpcMethods)[M]['params']>;
/** Success data of one method. */
export type RpcResult<M extends RpcMethod> = z.infer<(typeof rpcMethods)[M]['result']>;
/** All method names. */
export const RPC_METHODS = Object.keys(rpcMethods) as RpcMethod[];

/** CLI -> controller on `osbuild/v1/rpc/request`; the answer goes to `rpc/response/<replyTo>`. */
export const rpcRequestSchema = z.object({
  v: protocolVersion,
  id: z.string().min(1).max(64),
  replyTo: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  method: z.enum(RPC_METHODS as [RpcMethod, ...RpcMethod[]]),
  params: z.unknown(),
});
/** Inferred {@link rpcRequestSchema}. */
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

/** Controller -> CLI: the request id plus a response envelope whose data is checked per method. */
export const rpcResponseSchema = z.intersection(
  z.object({ v: protocolVersion, id: z.string() }),
  envelopeOf(z.unknown()),
);
/** Inferred {@link rpcResponseSchema}. */
export type RpcResponse = z.infer<typeof rpcResponseSchema>;
export { errorBody };
