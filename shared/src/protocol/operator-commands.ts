import { z } from 'zod';
import { nodeId } from './identity.js';

/** What an operator can ask a node to do (`osbuild reboot|reprovision|run`). */
export const commandAction = z.enum(['reboot', 'reprovision', 'run']);
/** Inferred {@link commandAction}. */
export type CommandAction = z.infer<typeof commandAction>;

/**
 * Where an operator command is. `queued`: waiting for its node (offline until its TTL, or about to
 * be sent); it is delivered when the node says hello. Before delivery a reboot or reprovision may
 * be prepared: `draining` (cordoning and draining a joined node), `resetting` (the netboot root of
 * a netboot reprovision is being reset), `power-cycling` (the node is offline and its power hook is
 * running). `sent`: published, not yet acknowledged. `accepted`: the agent acknowledged it.
 * `running`: the agent started it. `rebooting`: waiting for the node to come back with a new boot
 * id. `provisioning`: a reprovision's reset is done and the plan runs again. Terminal: `succeeded`,
 * `failed`, `timed-out` (deadline passed), `expired` (TTL passed while queued, never delivered),
 * `rejected` (the agent or controller refused it).
 */
export const commandState = z.enum([
  'queued',
  'draining',
  'resetting',
  'power-cycling',
  'sent',
  'accepted',
  'running',
  'rebooting',
  'provisioning',
  'succeeded',
  'failed',
  'timed-out',
  'expired',
  'rejected',
]);
/** Inferred {@link commandState}. */
export type CommandState = z.infer<typeof commandState>;

/** States after which a command never changes again. */
export const TERMINAL_COMMAND_STATES: readonly CommandState[] = [
  'succeeded',
  'failed',
  'timed-out',
  'expired',
  'rejected',
];

/** True when `s` is terminal. */
export function isTerminalCommandState(s: CommandState): boolean {
  return TERMINAL_COMMAND_STATES.includes(s);
}

/** One operator command on one node, as `osbuild commands show` prints it. */
export const commandView = z.object({
  id: z.string(),
  action: commandAction,
  name: z.string(),
  nodeId,
  state: commandState,
  /** Why it is in this state, in one sentence. */
  reason: z.string(),
  idempotencyKey: z.string().nullable(),
  /** Script and arguments of a `run`. */
  script: z.string().nullable(),
  args: z.array(z.string()),
  force: z.boolean(),
  createdBy: z.string(),
  createdAt: z.string(),
  /** A queued command expires at this time if the node has not come online. */
  expiresAt: z.string(),
  /** Once sent, the controller gives up waiting at this time. */
  deadline: z.string().nullable(),
  sentAt: z.string().nullable(),
  ackedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Boot id when the command was accepted; a reboot succeeds when a hello shows another one. */
  bootIdBefore: z.string().nullable(),
  bootIdAfter: z.string().nullable(),
  /** How many times it was (re)sent; more than one means the agent saw duplicates. */
  deliveries: z.number().int(),
  exitCode: z.number().int().nullable(),
  outputTail: z.string(),
});
/** Inferred {@link commandView}. */
export type CommandView = z.infer<typeof commandView>;

/** A stored event as `osbuild events` prints it. */
export const eventView = z.object({
  id: z.number().int(),
  at: z.string(),
  /** Hostname or node id; null for controller-wide events. */
  name: z.string().nullable(),
  nodeId: z.string().nullable(),
  type: z.string(),
  data: z.record(z.string(), z.unknown()),
});
/** Inferred {@link eventView}. */
export type EventView = z.infer<typeof eventView>;

/** One line of node output as `osbuild logs` prints it. */
export const logLineView = z.object({
  id: z.number().int(),
  at: z.string(),
  /** `command`: a command's or step's output; `agent`: the agent's own log line. */
  source: z.enum(['command', 'agent']),
  cmdId: z.string().nullable(),
  stream: z.string(),
  text: z.string(),
});
/** Inferred {@link logLineView}. */
export type LogLineView = z.infer<typeof logLineView>;
