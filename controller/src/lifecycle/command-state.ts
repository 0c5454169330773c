import { type CommandAction, type CommandState, isTerminalCommandState } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import { capField, TEXT_MAX_BYTES } from '../logging/cap-fields.js';
import type { CommandUpdate } from '../store/command-store.js';
import { IllegalTransition, inStates, type TransitionTable } from './transition-table.js';

/**
 * The states an operator command may move to from each state (docs/commands.md, Lifecycle). Keyed
 * by every state, so a new state without an entry does not compile. Staying in a live state (a new
 * reason, a run id) is always allowed; terminal states have no way out.
 */
export const COMMAND_STATE_TRANSITIONS: TransitionTable<CommandState> = {
  // Waiting for its node; a reboot or reprovision may be prepared before it is delivered.
  queued: ['draining', 'resetting', 'power-cycling', 'sent', 'expired', 'rejected'],
  // A preparation found in the store with none under way (the controller restarted) is queued
  // again, so it is delivered, and prepared, again.
  draining: ['resetting', 'power-cycling', 'sent', 'queued', 'failed', 'rejected'],
  resetting: ['power-cycling', 'sent', 'queued', 'failed'],
  'power-cycling': ['rebooting', 'queued', 'failed'],
  sent: ['accepted', 'running', 'rebooting', 'provisioning', 'succeeded', 'failed', 'timed-out', 'rejected'],
  accepted: ['running', 'rebooting', 'provisioning', 'succeeded', 'failed', 'timed-out', 'rejected'],
  running: ['rebooting', 'provisioning', 'succeeded', 'failed', 'timed-out', 'rejected'],
  // Only a hello with a new boot id (or the deadline) ends a reboot; a reprovision then re-plans.
  rebooting: ['provisioning', 'succeeded', 'failed', 'timed-out', 'rejected'],
  // The node's new run decides, unless the deadline passes first.
  provisioning: ['succeeded', 'failed', 'timed-out'],
  succeeded: [],
  failed: [],
  'timed-out': [],
  expired: [],
  rejected: [],
};

/** Named sets of command states, defined once; the command code asks these instead of listing states. */
export const COMMAND_STATE_GROUPS = {
  /** Not delivered yet: waiting in the queue or being prepared for delivery. */
  undelivered: ['queued', 'draining', 'resetting', 'power-cycling'],
  /** Preparations a controller process runs before delivery (drain, netboot root reset, power hook). */
  preparing: ['draining', 'resetting', 'power-cycling'],
  /** The agent has it: a report may move it, and a hello with a new boot id confirms a reboot. */
  withAgent: ['sent', 'accepted', 'running', 'rebooting'],
} as const satisfies Record<string, readonly CommandState[]>;

/** The name of a group in {@link COMMAND_STATE_GROUPS}. */
export type CommandStateGroup = keyof typeof COMMAND_STATE_GROUPS;

/** True when `state` belongs to `group`. */
export function inCommandStateGroup(group: CommandStateGroup, state: CommandState): boolean {
  return inStates<CommandState>(COMMAND_STATE_GROUPS[group], state);
}

/** A command-state move the table does not allow. */
export class IllegalCommandTransition extends IllegalTransition<CommandState> {
  constructor(
    readonly commandId: string,
    from: CommandState,
    to: CommandState,
  ) {
    super(`command ${commandId}`, 'state', from, to);
  }
}

/** True when the table allows `from` -> `to`, or both are the same live state. */
export function commandTransitionAllowed(from: CommandState, to: CommandState): boolean {
  if (from === to) return !isTerminalCommandState(from);
  return COMMAND_STATE_TRANSITIONS[from].includes(to);
}

/** What the state owner reads and writes: the store's command and event repositories satisfy it. */
export interface CommandStateRecords {
  commands: {
    get(id: string): { node_id: string; action: CommandAction; state: CommandState } | undefined;
    setState(id: string, state: CommandState, reason: string, extra?: CommandUpdate): void;
  };
  events: { append(nodeId: string | null, type: string, data: Record<string, unknown>, now: string): void };
  tx<T>(fn: () => T): T;
}

/** What {@link CommandStates} needs. */
export interface CommandStatesDeps {
  records: CommandStateRecords;
  clock: Clock;
  logger: Logger;
  /** Told once per command that reaches a terminal state (metrics). */
  onOutcome?(action: CommandAction, state: CommandState): void;
}

/**
 * The one owner of `commands.state`: the operator-command code asks it for a transition. It checks
 * the table and writes the state with its reason and columns; a terminal state also sets
 * `finished_at`, records a `command-finished` event, logs the outcome and reports it.
 */
export class CommandStates {
  constructor(private readonly deps: CommandStatesDeps) {}

  /**
   * Move command `id` to `to` with `reason` (and `extra` columns), in one transaction. Throws
   * {@link IllegalCommandTransition}; unknown ids are ignored.
   */
  move(id: string, to: CommandState, reason: string, extra: CommandUpdate = {}): void {
    const { records, clock, logger } = this.deps;
    const finished = records.tx(() => {
      const cmd = records.commands.get(id);
      if (!cmd) return undefined;
      if (!commandTransitionAllowed(cmd.state, to)) throw new IllegalCommandTransition(id, cmd.state, to);
      if (!isTerminalCommandState(to)) {
        records.commands.setState(id, to, reason, extra);
        // Terminal states are logged at info below; the steps on the way there only at trace.
        logger.trace(
          { cmdId: id, from: cmd.state, to, reason: capField(reason, TEXT_MAX_BYTES) },
          'command state changed',
        );
        return undefined;
      }
      const now = clock.now().toISOString();
      records.commands.setState(id, to, reason, { finished_at: now, ...extra });
      records.events.append(
        cmd.node_id,
        'command-finished',
        { cmdId: id, action: cmd.action, state: to, reason },
        now,
      );
      return cmd;
    });
    if (!finished) return;
    logger.info(
      // A reason can quote the agent's error text: logged capped, stored whole.
      {
        cmdId: id,
        nodeId: finished.node_id,
        action: finished.action,
        state: to,
        reason: capField(reason, TEXT_MAX_BYTES),
      },
      'command finished',
    );
    this.deps.onOutcome?.(finished.action, to);
  }
}
