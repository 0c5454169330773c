import { z } from 'zod';
import { envelopeOf, errorBody } from './envelope.js';
import { nodeId } from './identity.js';
import {
  ARG_MAX,
  HOSTNAME_MAX,
  ID_MAX,
  IDEMPOTENCY_KEY_MAX,
  OPERATOR_ARGS_MAX,
  PATH_MAX,
  RPC_ID_MAX,
  SELECTOR_MAX,
  TARGET_NAMES_MAX,
} from './limits.js';
import { commandAction, commandView, eventView, logLineView } from './operator-commands.js';
import { nodePhase } from './phases.js';
import { clusterStatusView, nodeDetail, nodeRole, nodeSummary, nodeWhy } from './rpc-views.js';
import { protocolVersion } from './version.js';

export * from './rpc-views.js';

/** A node as operators name it: its inventory hostname or its nodeId. */
const nodeName = z.string().min(1).max(HOSTNAME_MAX).describe('Inventory hostname or nodeId of the node.');
const nameParams = z.object({ name: nodeName });

/** Roles of human and tool principals (nodes are a principal kind of their own). */
export const principalRole = z.enum(['operator', 'monitor']);
/** Inferred {@link principalRole}. */
export type PrincipalRole = z.infer<typeof principalRole>;

/** Names of operator and monitor users. */
export const userName = z
  .string()
  .max(32)
  .regex(/^[a-z][a-z0-9_-]{1,31}$/, 'expected a user name like alice or grafana')
  .describe('User name: a lowercase letter, then 1-31 of a-z, 0-9, _ and -.');

/** Every operator method: its params and the data of its success response. */
export const rpcMethods = {
  'nodes.list': { params: z.object({}), result: z.array(nodeSummary) },
  'nodes.show': { params: nameParams, result: nodeDetail },
  'nodes.why': { params: nameParams, result: nodeWhy },
  'cluster.status': { params: z.object({}), result: clusterStatusView },
  'nodes.approve': {
    params: z.object({
      nodeId,
      hostname: z.string().min(1).max(HOSTNAME_MAX).describe('Hostname to bind the node to.'),
      role: nodeRole.optional().describe('Role, for a host not in the inventory.'),
    }),
    result: nodeSummary,
  },
  'nodes.retry': {
    params: z.object({
      name: nodeName,
      fromStart: z.boolean().optional().describe('Run the whole plan again instead of from the failed step.'),
    }),
    result: nodeSummary,
  },
  'nodes.rotate-credential': {
    params: nameParams,
    result: z.object({ name: z.string(), nodeId, revokedAt: z.string(), windowExpiresAt: z.string() }),
  },
  'nodes.reprovision': {
    params: z.object({
      name: nodeName,
      windowSec: z
        .number()
        .int()
        .positive()
        .max(86_400)
        .optional()
        .describe('How long the node may claim again with the image’s claim secret (default 900).'),
    }),
    result: z.object({ name: z.string(), nodeId, windowExpiresAt: z.string() }),
  },
  'users.add': {
    params: z.object({ name: userName, role: principalRole.describe('What the user may do.') }),
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
    params: z.object({ id: z.string().min(1).max(ID_MAX).describe('Id of the claim secret.') }),
    result: z.object({ id: z.string(), revokedAt: z.string() }),
  },
  /** Resolve names and/or a label selector (`role=worker,zone!=a`) to known nodes. */
  'commands.targets': {
    params: z.object({
      names: z.array(nodeName).max(TARGET_NAMES_MAX).describe('Hostnames or nodeIds.'),
      selector: z.string().max(SELECTOR_MAX).optional().describe('Label selector, e.g. role=worker,zone!=a.'),
    }),
    result: z.object({
      nodes: z.array(z.object({ name: z.string(), nodeId, online: z.boolean(), phase: nodePhase })),
      /** Inventory hostnames that match the selector but have never said hello. */
      unseen: z.array(z.string()),
    }),
  },
  /** Create one command for one node, or return the existing one with the same idempotency key. */
  'commands.create': {
    params: z.object({
      action: commandAction.describe('What to do.'),
      name: nodeName,
      script: z
        .string()
        .min(1)
        .max(PATH_MAX)
        .optional()
        .describe('Script of a `run`, inside the bootstrap repo.'),
      args: z
        .array(z.string().max(ARG_MAX))
        .max(OPERATOR_ARGS_MAX)
        .optional()
        .describe('Arguments of a `run`.'),
      idempotencyKey: z
        .string()
        .min(1)
        .max(IDEMPOTENCY_KEY_MAX)
        .optional()
        .describe('A retry with the same key returns the existing command.'),
      /** How long a command for an offline node waits before it expires (default 3600). */
      ttlSec: z
        .number()
        .int()
        .positive()
        .max(7 * 86_400)
        .optional()
        .describe('How long a command for an offline node waits before it expires (default 3600).'),
      /** How long the node has once the command is sent (defaults per action). */
      timeoutSec: z
        .number()
        .int()
        .positive()
        .max(24 * 3600)
        .optional()
        .describe('How long the node has once the command is sent (defaults per action).'),
      /** Skip the drain of a joined node (audited). */
      force: z.boolean().optional().describe('Skip the drain of a joined node (audited).'),
    }),
    result: z.object({ command: commandView, created: z.boolean() }),
  },
  'commands.show': {
    params: z.object({ id: z.string().min(1).max(ID_MAX).describe('Command id (cmd-…).') }),
    result: commandView,
  },
  'commands.list': {
    params: z.object({
      name: nodeName.optional(),
      limit: z.number().int().positive().max(1000).optional().describe('Most commands to return.'),
    }),
    result: z.array(commandView),
  },
  /** Stored events, oldest first, after `afterId` (0 for the latest `limit`). */
  'events.list': {
    params: z.object({
      name: nodeName.optional(),
      afterId: z
        .number()
        .int()
        .nonnegative()
        .optional()
        .describe('Only events after this id (0: the latest `limit`).'),
      limit: z.number().int().positive().max(1000).optional().describe('Most events to return.'),
    }),
    result: z.array(eventView),
  },
  /** Recorded output and agent log lines of one node, oldest first, after `afterId`. */
  'logs.get': {
    params: z.object({
      name: nodeName,
      afterId: z.number().int().nonnegative().optional().describe('Only lines after this id.'),
      limit: z.number().int().positive().max(5000).optional().describe('Most lines to return.'),
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
export const rpcRequestSchema = z
  .object({
    v: protocolVersion,
    id: z.string().min(1).max(RPC_ID_MAX).describe('Request id, echoed in the response.'),
    replyTo: z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .describe('The caller’s own MQTT client id; the response goes to rpc/response/<replyTo>.'),
    method: z.enum(RPC_METHODS as [RpcMethod, ...RpcMethod[]]).describe('The method to call.'),
    params: z.unknown().describe('The method’s params (see rpc/<method>.params.schema.json).'),
  })
  .describe('An operator request.');
/** Inferred {@link rpcRequestSchema}. */
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

/** Controller -> CLI: the request id plus a response envelope whose data is checked per method. */
export const rpcResponseSchema = z
  .intersection(
    z.object({ v: protocolVersion, id: z.string().max(RPC_ID_MAX).describe('The request’s id.') }),
    envelopeOf(z.unknown().describe('The method’s result (see rpc/<method>.result.schema.json).')),
  )
  .describe('The answer to one request: `{ok: true, data}` or `{ok: false, error}`.');
/** Inferred {@link rpcResponseSchema}. */
export type RpcResponse = z.infer<typeof rpcResponseSchema>;
export { errorBody };
