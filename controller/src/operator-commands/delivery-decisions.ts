// Pure decisions of delivery: what must happen before a command reaches its node, and which way
// it goes (the agent, the power hook, or nowhere yet). No store, no clock: unit-tested as is.
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { CommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';

type CommandFacts = Pick<CommandRecord, 'action'>;
type NodeFacts = Pick<NodeRecord, 'phase' | 'boot_source'>;

/** Reboot and reprovision take the node down; `run` does not. */
export function isDisruptive(cmd: CommandFacts): boolean {
  return cmd.action === 'reboot' || cmd.action === 'reprovision';
}

/** A disruption of a node that may run workloads: cordon and drain it first. */
export function needsDrain(cmd: CommandFacts, node: Pick<NodeRecord, 'phase'>): boolean {
  return isDisruptive(cmd) && inPhaseGroup('joined', node.phase);
}

/** A netboot reprovision: the server resets the node's root before it reboots. */
export function needsRootReset(cmd: CommandFacts, node: Pick<NodeRecord, 'boot_source'>): boolean {
  return cmd.action === 'reprovision' && node.boot_source === 'netboot';
}

/**
 * True when a drain or root reset must run before delivery. Callers skip the await otherwise, so a
 * command with nothing to prepare is sent before `create` returns (its view says `sent`).
 */
export function needsPreparation(cmd: CommandFacts, node: NodeFacts): boolean {
  return needsDrain(cmd, node) || needsRootReset(cmd, node);
}

/**
 * True when a power hook can stand in for the agent: a reboot, or the reprovision of a netboot
 * node (its reset happens on the server; an NVMe node needs its agent to reset itself).
 */
export function powerCycleApplies(cmd: CommandFacts, node: Pick<NodeRecord, 'boot_source'>): boolean {
  return cmd.action === 'reboot' || needsRootReset(cmd, node);
}

/** How a queued command reaches its node now: through its agent, its power hook, or not yet. */
export type DeliveryRoute = 'agent' | 'power-hook' | 'wait';

/** Online nodes get the message; offline ones their power hook when one is configured and applies. */
export function deliveryRoute(
  cmd: CommandFacts,
  node: Pick<NodeRecord, 'online' | 'boot_source'>,
  hookConfigured: boolean,
): DeliveryRoute {
  if (node.online) return 'agent';
  return hookConfigured && powerCycleApplies(cmd, node) ? 'power-hook' : 'wait';
}

/**
 * True when the message may go out now: the command is queued or its drain or root reset just
 * finished (a power-cycled command is never sent), and the node is online.
 */
export function readyToSend(cmd: Pick<CommandRecord, 'state'>, node: Pick<NodeRecord, 'online'>): boolean {
  const waiting = cmd.state === 'queued' || cmd.state === 'draining' || cmd.state === 'resetting';
  return waiting && node.online;
}

/** An NVMe/SD reprovision sends `reset-node`: the node goes `reprovisioning` when it is sent. */
export function resetsThroughAgent(cmd: CommandFacts, node: Pick<NodeRecord, 'boot_source'>): boolean {
  return cmd.action === 'reprovision' && node.boot_source !== 'netboot';
}
