import { z } from 'zod';
import { nodeCondition } from './conditions.js';
import { bootSource, nodeId } from './identity.js';
import { commandAction, commandState } from './operator-commands.js';
import { nodePhase } from './phases.js';
import { telemetrySchema } from './telemetry.js';

// What the operator RPC methods answer with (rpc.ts `rpcMethods`): the read models of nodes, runs
// and the cluster. Sent by the controller only.
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
