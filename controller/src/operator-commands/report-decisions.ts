// Pure decisions on what the node says: which state an ack, a progress report or a result moves a
// command to, and whether a hello with a boot id confirms a reboot. No store: unit-tested as is.
import {
  type CommandReport,
  type CommandResult,
  type CommandState,
  isCommandResult,
  isTerminalCommandState,
} from '@osbuild/shared';
import { inCommandStateGroup } from '../lifecycle/command-state.js';
import type { CommandRecord, CommandUpdate } from '../store/command-store.js';

/** A terminal state a result can end a command in. */
export type ResultState = Extract<CommandState, 'succeeded' | 'failed' | 'timed-out' | 'rejected'>;

/** What a report does to a command. */
export type ReportDecision =
  /** Nothing: the command already ended, or the report changes nothing in its state. */
  | { kind: 'ignore' }
  /** A live state with the agent: accepted, running, rebooting. */
  | { kind: 'move'; to: CommandState; reason: string; extra: CommandUpdate }
  /** A reset-node succeeded: the node's plan starts over (state `provisioning`). */
  | { kind: 'replan'; extra: CommandUpdate }
  /** The result ends it; `resetFailed` also marks the node failed (its reset did not finish). */
  | { kind: 'finish'; state: ResultState; reason: string; extra: CommandUpdate; resetFailed: boolean };

type ReportedCommand = Pick<CommandRecord, 'state' | 'body' | 'acked_at'>;

/**
 * Reports count only while the agent has the command (sent and after) or its plan runs again; a
 * report on a command that was never sent, or that has ended, changes nothing (a late or repeated
 * report is normal: the agent re-publishes results of duplicates).
 */
function agentMayReport(state: CommandState): boolean {
  return inCommandStateGroup('withAgent', state) || state === 'provisioning';
}

/** Decide what `report` does to `cmd`; `now` is the ISO time it arrived. */
export function decideReport(cmd: ReportedCommand, report: CommandReport, now: string): ReportDecision {
  if (isTerminalCommandState(cmd.state) || !agentMayReport(cmd.state)) return { kind: 'ignore' };
  if (isCommandResult(report)) return decideResult(cmd, report);
  if (report.type === 'ack') {
    return cmd.state === 'sent'
      ? {
          kind: 'move',
          to: 'accepted',
          reason: 'the agent accepted it',
          extra: { acked_at: now, boot_id_before: report.bootId },
        }
      : { kind: 'ignore' };
  }
  if (report.state === 'running') {
    return cmd.state === 'sent' || cmd.state === 'accepted'
      ? {
          kind: 'move',
          to: 'running',
          reason: 'running on the node',
          extra: { acked_at: cmd.acked_at ?? now },
        }
      : { kind: 'ignore' };
  }
  return cmd.state === 'provisioning'
    ? { kind: 'ignore' }
    : {
        kind: 'move',
        to: 'rebooting',
        reason: 'rebooting; waiting for a hello with a new boot id',
        extra: {},
      };
}

function decideResult(cmd: ReportedCommand, result: CommandResult): ReportDecision {
  const extra = { exit_code: result.exitCode, output_tail: result.outputTail };
  if (result.outcome === 'succeeded') {
    if (cmd.body.type === 'reboot') {
      // The agent's word is not enough: only a hello with a new boot id confirms a reboot.
      return cmd.state === 'provisioning'
        ? { kind: 'ignore' }
        : {
            kind: 'move',
            to: 'rebooting',
            reason: 'the agent reports a restart; waiting for a hello with a new boot id',
            extra,
          };
    }
    if (cmd.body.type === 'reset-node') return { kind: 'replan', extra };
    return {
      kind: 'finish',
      state: 'succeeded',
      reason: 'the agent reports success',
      extra,
      resetFailed: false,
    };
  }
  const err = result.error ?? (result.exitCode !== null ? `exit code ${result.exitCode}` : result.outcome);
  const state: ResultState =
    result.outcome === 'timed-out' ? 'timed-out' : result.outcome === 'rejected' ? 'rejected' : 'failed';
  const reason = result.outcome === 'interrupted' ? `interrupted: ${err}` : err;
  return { kind: 'finish', state, reason, extra, resetFailed: cmd.body.type === 'reset-node' };
}

/**
 * What a hello with `bootId` confirms: a reboot the agent has (or a power-cycled one) is done when
 * the boot id differs from the one recorded before; a netboot reprovision then runs its plan
 * again. Null when the hello confirms nothing for this command.
 */
export function bootConfirmation(
  cmd: Pick<CommandRecord, 'action' | 'state' | 'body' | 'boot_id_before'>,
  bootId: string,
): 'succeeded' | 'provisioning' | null {
  const rebooted = cmd.boot_id_before !== null && cmd.boot_id_before !== bootId;
  if (cmd.body.type !== 'reboot' || !inCommandStateGroup('withAgent', cmd.state) || !rebooted) return null;
  return cmd.action === 'reboot' ? 'succeeded' : 'provisioning';
}
