// The command-state owner over an in-memory records port: the table, the error naming both states,
// and what finishing writes. No SQLite.
import { type CommandAction, type CommandState, commandState, isTerminalCommandState } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_STATE_GROUPS,
  COMMAND_STATE_TRANSITIONS,
  type CommandStateRecords,
  CommandStates,
  commandTransitionAllowed,
  IllegalCommandTransition,
} from '../../src/lifecycle/command-state.js';
import type { CommandUpdate } from '../../src/store/command-store.js';

interface Kept {
  node_id: string;
  action: CommandAction;
  state: CommandState;
  reason: string;
  extra: CommandUpdate;
}

/** The records port in memory; `tx` runs the function and restores the map if it throws. */
function memoryRecords(initial: Record<string, Omit<Kept, 'reason' | 'extra'>>) {
  const commands = new Map<string, Kept>(
    Object.entries(initial).map(([id, c]) => [id, { ...c, reason: '', extra: {} }]),
  );
  const events: Array<{ nodeId: string | null; type: string; data: Record<string, unknown>; at: string }> =
    [];
  const records: CommandStateRecords = {
    commands: {
      get: (id) => commands.get(id),
      setState: (id, state, reason, extra = {}) => {
        const c = commands.get(id);
        if (c) commands.set(id, { ...c, state, reason, extra: { ...c.extra, ...extra } });
      },
    },
    events: { append: (nodeId, type, data, at) => events.push({ nodeId, type, data, at }) },
    tx: (fn) => {
      const saved = new Map(commands);
      try {
        return fn();
      } catch (err) {
        commands.clear();
        for (const [k, v] of saved) commands.set(k, v);
        throw err;
      }
    },
  };
  return { records, commands, events };
}

const clock = { now: () => new Date('2026-12-01T10:00:00.000Z') };
const logger = pino({ level: 'silent' });

describe('COMMAND_STATE_TRANSITIONS', () => {
  it('has no way out of a terminal state, and only terminal states have none', () => {
    for (const s of commandState.options) {
      expect(COMMAND_STATE_TRANSITIONS[s].length === 0, s).toBe(isTerminalCommandState(s));
    }
  });

  it('reaches a terminal state from every live state', () => {
    const reachesEnd = (s: CommandState, seen = new Set<CommandState>()): boolean => {
      if (isTerminalCommandState(s)) return true;
      seen.add(s);
      return COMMAND_STATE_TRANSITIONS[s].some((n) => !seen.has(n) && reachesEnd(n, seen));
    };
    for (const s of commandState.options) expect(reachesEnd(s), s).toBe(true);
  });

  it('allows staying in a live state but never rewriting a finished one', () => {
    expect(commandTransitionAllowed('provisioning', 'provisioning')).toBe(true);
    expect(commandTransitionAllowed('draining', 'draining')).toBe(true);
    expect(commandTransitionAllowed('succeeded', 'succeeded')).toBe(false);
    expect(commandTransitionAllowed('expired', 'queued')).toBe(false);
  });

  it('expires only queued commands, and queues again only preparations', () => {
    const into = (to: CommandState) =>
      commandState.options.filter((from) => from !== to && commandTransitionAllowed(from, to));
    expect(into('expired')).toEqual(['queued']);
    expect(into('queued')).toEqual([...COMMAND_STATE_GROUPS.preparing]);
    expect(into('sent')).toEqual(['queued', 'draining', 'resetting']);
  });
});

describe('CommandStates.move', () => {
  it('writes a live state with its reason and columns, and records no event', () => {
    const { records, commands, events } = memoryRecords({
      'cmd-1': { node_id: 'n1', action: 'reboot', state: 'queued' },
    });
    new CommandStates({ records, clock, logger }).move('cmd-1', 'sent', 'sent', { deadline: 'd' });
    expect(commands.get('cmd-1')).toMatchObject({ state: 'sent', reason: 'sent', extra: { deadline: 'd' } });
    expect(events).toEqual([]);
  });

  it('finishes a terminal state: finished_at, a command-finished event, the outcome once', () => {
    const { records, commands, events } = memoryRecords({
      'cmd-1': { node_id: 'n1', action: 'run', state: 'running' },
    });
    const outcomes: string[] = [];
    const states = new CommandStates({
      records,
      clock,
      logger,
      onOutcome: (a, s) => outcomes.push(`${a}:${s}`),
    });
    states.move('cmd-1', 'failed', 'exit code 3', { exit_code: 3 });
    expect(commands.get('cmd-1')).toMatchObject({
      state: 'failed',
      reason: 'exit code 3',
      extra: { exit_code: 3, finished_at: '2026-12-01T10:00:00.000Z' },
    });
    expect(events).toEqual([
      {
        nodeId: 'n1',
        type: 'command-finished',
        data: { cmdId: 'cmd-1', action: 'run', state: 'failed', reason: 'exit code 3' },
        at: '2026-12-01T10:00:00.000Z',
      },
    ]);
    expect(outcomes).toEqual(['run:failed']);
  });

  it('refuses a move the table does not allow, naming the command and both states, and writes nothing', () => {
    const { records, commands, events } = memoryRecords({
      'cmd-7': { node_id: 'n1', action: 'reboot', state: 'succeeded' },
    });
    const states = new CommandStates({ records, clock, logger });
    expect(() => states.move('cmd-7', 'failed', 'late')).toThrow(IllegalCommandTransition);
    expect(() => states.move('cmd-7', 'failed', 'late')).toThrow(
      'command cmd-7: illegal state transition succeeded -> failed',
    );
    expect(commands.get('cmd-7')?.state).toBe('succeeded');
    expect(events).toEqual([]);
  });

  it('ignores an unknown command', () => {
    const { records, events } = memoryRecords({});
    new CommandStates({ records, clock, logger }).move('cmd-x', 'failed', 'gone');
    expect(events).toEqual([]);
  });
});
