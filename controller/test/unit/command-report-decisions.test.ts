// Pure report decisions: which state an ack, progress report, result or hello moves a command to.
import type { CommandBody, CommandReport, CommandState } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { bootConfirmation, decideReport } from '../../src/operator-commands/report-decisions.js';

const NOW = '2026-12-01T10:00:00.000Z';
const reboot: CommandBody = { type: 'reboot', timeoutSec: 600 };
const reset: CommandBody = { type: 'reset-node', timeoutSec: 600 };
const script: CommandBody = {
  type: 'run-script',
  repo: 'http://x/repo.git',
  commit: 'c'.repeat(40),
  script: 'a.sh',
  args: [],
  timeoutSec: 900,
};
const cmd = (state: CommandState, body: CommandBody = script, acked_at: string | null = null) => ({
  state,
  body,
  acked_at,
});
const ack = (duplicate = false): CommandReport => ({
  v: 1,
  type: 'ack',
  id: 'cmd-1',
  at: NOW,
  duplicate,
  bootId: 'boot-1',
});
const progress = (state: 'running' | 'rebooting'): CommandReport => ({
  v: 1,
  type: 'progress',
  id: 'cmd-1',
  at: NOW,
  state,
});
const result = (
  outcome: 'succeeded' | 'failed' | 'timed-out' | 'interrupted' | 'rejected',
  more: { exitCode?: number | null; error?: string | null } = {},
): CommandReport => ({
  v: 1,
  id: 'cmd-1',
  outcome,
  exitCode: more.exitCode ?? null,
  error: more.error ?? null,
  outputTail: 'tail',
  startedAt: NOW,
  finishedAt: NOW,
});

describe('acks and progress', () => {
  it('accepts a sent command on ack, with the boot id the agent had', () => {
    expect(decideReport(cmd('sent'), ack(), NOW)).toEqual({
      kind: 'move',
      to: 'accepted',
      reason: 'the agent accepted it',
      extra: { acked_at: NOW, boot_id_before: 'boot-1' },
    });
    expect(decideReport(cmd('running'), ack(true), NOW)).toEqual({ kind: 'ignore' });
  });

  it('moves to running from sent or accepted, keeping the first ack time', () => {
    expect(decideReport(cmd('accepted', script, 'earlier'), progress('running'), NOW)).toMatchObject({
      to: 'running',
      extra: { acked_at: 'earlier' },
    });
    expect(decideReport(cmd('sent'), progress('running'), NOW)).toMatchObject({ extra: { acked_at: NOW } });
    expect(decideReport(cmd('rebooting', reboot), progress('running'), NOW)).toEqual({ kind: 'ignore' });
  });

  it('moves to rebooting on the agent’s word, except once the plan runs again', () => {
    expect(decideReport(cmd('accepted', reboot), progress('rebooting'), NOW)).toMatchObject({
      kind: 'move',
      to: 'rebooting',
    });
    expect(decideReport(cmd('provisioning', reboot), progress('rebooting'), NOW)).toEqual({ kind: 'ignore' });
  });

  it('ignores reports on commands that ended or were never sent', () => {
    for (const state of ['succeeded', 'expired', 'queued', 'draining', 'power-cycling'] as const) {
      expect(decideReport(cmd(state), result('failed'), NOW), state).toEqual({ kind: 'ignore' });
      expect(decideReport(cmd(state), ack(), NOW), state).toEqual({ kind: 'ignore' });
    }
  });
});

describe('results', () => {
  it('finishes a script with the agent’s outcome, exit code and tail', () => {
    expect(decideReport(cmd('running'), result('succeeded', { exitCode: 0 }), NOW)).toEqual({
      kind: 'finish',
      state: 'succeeded',
      reason: 'the agent reports success',
      extra: { exit_code: 0, output_tail: 'tail' },
      resetFailed: false,
    });
    expect(decideReport(cmd('running'), result('failed', { exitCode: 3 }), NOW)).toMatchObject({
      state: 'failed',
      reason: 'exit code 3',
    });
    expect(
      decideReport(cmd('running'), result('interrupted', { error: 'agent restarted' }), NOW),
    ).toMatchObject({ state: 'failed', reason: 'interrupted: agent restarted' });
    expect(decideReport(cmd('sent'), result('rejected', { error: 'deadline passed' }), NOW)).toMatchObject({
      state: 'rejected',
      reason: 'deadline passed',
    });
    expect(decideReport(cmd('running'), result('timed-out'), NOW)).toMatchObject({
      state: 'timed-out',
      reason: 'timed-out',
    });
  });

  it('never finishes a reboot on the agent’s success: only a new boot id does', () => {
    expect(decideReport(cmd('running', reboot), result('succeeded'), NOW)).toMatchObject({
      kind: 'move',
      to: 'rebooting',
      reason: 'the agent reports a restart; waiting for a hello with a new boot id',
    });
    expect(decideReport(cmd('provisioning', reboot), result('succeeded'), NOW)).toEqual({ kind: 'ignore' });
  });

  it('re-plans after a successful reset, and marks the node failed after a failed one', () => {
    expect(decideReport(cmd('accepted', reset), result('succeeded', { exitCode: 0 }), NOW)).toEqual({
      kind: 'replan',
      extra: { exit_code: 0, output_tail: 'tail' },
    });
    expect(decideReport(cmd('accepted', reset), result('failed', { error: 'kubeadm' }), NOW)).toMatchObject({
      kind: 'finish',
      state: 'failed',
      resetFailed: true,
    });
  });
});

describe('boot confirmation', () => {
  const sentReboot = {
    action: 'reboot' as const,
    state: 'accepted' as const,
    body: reboot,
    boot_id_before: 'boot-1',
  };

  it('confirms a reboot by a boot id different from the one before', () => {
    expect(bootConfirmation(sentReboot, 'boot-2')).toBe('succeeded');
    expect(bootConfirmation(sentReboot, 'boot-1')).toBeNull();
    expect(bootConfirmation({ ...sentReboot, boot_id_before: null }, 'boot-2')).toBeNull();
  });

  it('moves a netboot reprovision to provisioning, and ignores commands the agent does not have', () => {
    expect(bootConfirmation({ ...sentReboot, action: 'reprovision' }, 'boot-2')).toBe('provisioning');
    expect(bootConfirmation({ ...sentReboot, state: 'provisioning' }, 'boot-2')).toBeNull();
    expect(bootConfirmation({ ...sentReboot, state: 'queued' }, 'boot-2')).toBeNull();
    expect(bootConfirmation({ ...sentReboot, body: reset }, 'boot-2')).toBeNull();
  });
});
