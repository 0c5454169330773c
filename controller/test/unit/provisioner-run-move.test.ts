import { describe, expect, it } from 'vitest';
import { nextRunMove } from '../../src/provisioning/node-advance.js';

// The provisioner's per-node decision, without SQLite: what a run does next from its current step.
describe('next move of a provisioning run', () => {
  const now = '2026-12-03T12:00:00.000Z';

  it('completes when no step is left, fails on a failed step', () => {
    expect(nextRunMove(undefined, now)).toBe('complete');
    expect(nextRunMove({ state: 'failed', not_before: null }, now)).toBe('fail');
  });

  it('re-sends a running step with the same id (a hello after a reconnect)', () => {
    expect(nextRunMove({ state: 'running', not_before: null }, now)).toBe('resend');
  });

  it('waits for a scheduled retry, then dispatches it', () => {
    expect(nextRunMove({ state: 'pending', not_before: '2026-12-03T12:00:05.000Z' }, now)).toBe(
      'wait-for-retry',
    );
    expect(nextRunMove({ state: 'pending', not_before: now }, now)).toBe('dispatch');
    expect(nextRunMove({ state: 'pending', not_before: null }, now)).toBe('dispatch');
  });
});
