// Pure decisions of the periodic sweep: whether a command expired, passed its deadline, was left
// half-prepared by an earlier controller process, or was settled by the node's new run.
import type { CommandState } from '@osbuild/shared';
import { inCommandStateGroup } from '../lifecycle/command-state.js';
import type { CommandRecord } from '../store/command-store.js';
import type { RunRecord } from '../store/run-store.js';

/**
 * A drain, root reset or power hook recorded in the store that this process is not running: the
 * controller restarted during it (or the node went offline before the message could go out). It
 * is queued again, so delivery prepares it again, as before these were states of their own.
 */
export function isStranded(cmd: Pick<CommandRecord, 'state'>, preparingHere: boolean): boolean {
  return inCommandStateGroup('preparing', cmd.state) && !preparingHere;
}

/** The reason of a stranded command queued again. */
export function strandedReason(state: CommandState, name: string): string {
  return `interrupted while ${state}; it is prepared and delivered again when ${name} is online`;
}

/** The TTL passed while it waited in the queue, and no preparation of it is under way. */
export function hasExpired(
  cmd: Pick<CommandRecord, 'state' | 'expires_at'>,
  now: string,
  preparingHere: boolean,
): boolean {
  return cmd.state === 'queued' && cmd.expires_at <= now && !preparingHere;
}

/** Why a command expired, with its TTL. */
export function expiryReason(cmd: Pick<CommandRecord, 'created_at' | 'expires_at'>, name: string): string {
  const ttl = Math.round((Date.parse(cmd.expires_at) - Date.parse(cmd.created_at)) / 1000);
  return `${name} stayed offline for the command's whole TTL (${ttl} s); it was never delivered`;
}

/** The node had until its deadline (set when it was sent or power-cycled) and the time is up. */
export function pastDeadline(cmd: Pick<CommandRecord, 'deadline'>, now: string): boolean {
  return cmd.deadline !== null && cmd.deadline <= now;
}

/** Why a live command timed out, by the state it was stuck in. */
export function commandTimeoutReason(state: CommandState, name: string, seconds: number): string {
  switch (state) {
    case 'sent':
      return `${name} never acknowledged the command within ${seconds} s`;
    case 'rebooting':
      return `${name} did not come back with a new boot id within ${seconds} s`;
    case 'provisioning':
      return `${name} was reset but its plan did not finish within ${seconds} s`;
    default:
      return `${name} did not report a result within ${seconds} s`;
  }
}

/**
 * How the node's new run ends a reprovision in `provisioning`: succeeded with it, failed when it
 * failed or was cancelled (with the node's reason), or null while it runs.
 */
export function replanOutcome(
  run: Pick<RunRecord, 'id' | 'state'> | undefined,
  name: string,
  nodeReason: string,
): { state: 'succeeded' | 'failed'; reason: string } | null {
  if (run?.state === 'succeeded') {
    return { state: 'succeeded', reason: `${name} was reset and provisioned again (run ${run.id})` };
  }
  if (run?.state === 'failed' || run?.state === 'cancelled') {
    const how = run.state === 'failed' ? 'failed' : 'was cancelled';
    return { state: 'failed', reason: `the new plan ${how}: ${nodeReason}` };
  }
  return null;
}
