// Pure sweep decisions: expiry, deadlines, preparations left by an earlier process, re-plan outcomes.
import { describe, expect, it } from 'vitest';
import {
  commandTimeoutReason,
  expiryReason,
  hasExpired,
  isStranded,
  pastDeadline,
  replanOutcome,
  strandedReason,
} from '../../src/operator-commands/sweep-decisions.js';

const NOW = '2026-12-01T10:00:00.000Z';

describe('expiry', () => {
  it('expires a queued command at its TTL unless this process is preparing it', () => {
    expect(hasExpired({ state: 'queued', expires_at: NOW }, NOW, false)).toBe(true);
    expect(hasExpired({ state: 'queued', expires_at: '2026-12-01T10:00:01.000Z' }, NOW, false)).toBe(false);
    expect(hasExpired({ state: 'queued', expires_at: NOW }, NOW, true)).toBe(false);
    expect(hasExpired({ state: 'draining', expires_at: NOW }, NOW, false)).toBe(false);
    expect(hasExpired({ state: 'sent', expires_at: NOW }, NOW, false)).toBe(false);
  });

  it('says how long the TTL was', () => {
    expect(expiryReason({ created_at: '2026-12-01T09:59:00.000Z', expires_at: NOW }, 'w-01')).toBe(
      "w-01 stayed offline for the command's whole TTL (60 s); it was never delivered",
    );
  });
});

describe('deadlines', () => {
  it('passes at the deadline; no deadline never passes', () => {
    expect(pastDeadline({ deadline: NOW }, NOW)).toBe(true);
    expect(pastDeadline({ deadline: '2026-12-01T10:00:00.001Z' }, NOW)).toBe(false);
    expect(pastDeadline({ deadline: null }, NOW)).toBe(false);
  });

  it('names the state the command was stuck in', () => {
    expect(commandTimeoutReason('sent', 'w-01', 5)).toBe('w-01 never acknowledged the command within 5 s');
    expect(commandTimeoutReason('rebooting', 'w-01', 5)).toBe(
      'w-01 did not come back with a new boot id within 5 s',
    );
    expect(commandTimeoutReason('provisioning', 'w-01', 5)).toBe(
      'w-01 was reset but its plan did not finish within 5 s',
    );
    expect(commandTimeoutReason('running', 'w-01', 5)).toBe('w-01 did not report a result within 5 s');
  });
});

describe('preparations an earlier controller process left', () => {
  it('is stranded only in a preparation state that this process is not running', () => {
    for (const state of ['draining', 'resetting', 'power-cycling'] as const) {
      expect(isStranded({ state }, false), state).toBe(true);
      expect(isStranded({ state }, true), state).toBe(false);
    }
    expect(isStranded({ state: 'queued' }, false)).toBe(false);
    expect(isStranded({ state: 'sent' }, false)).toBe(false);
  });

  it('says it is prepared again', () => {
    expect(strandedReason('draining', 'w-01')).toBe(
      'interrupted while draining; it is prepared and delivered again when w-01 is online',
    );
  });
});

describe('a reprovision following its new run', () => {
  it('succeeds and fails with the run, and waits while it runs', () => {
    expect(replanOutcome({ id: 'run-1', state: 'succeeded' }, 'w-01', '')).toEqual({
      state: 'succeeded',
      reason: 'w-01 was reset and provisioned again (run run-1)',
    });
    expect(replanOutcome({ id: 'run-1', state: 'failed' }, 'w-01', 'step 2 failed')).toEqual({
      state: 'failed',
      reason: 'the new plan failed: step 2 failed',
    });
    expect(replanOutcome({ id: 'run-1', state: 'cancelled' }, 'w-01', 'x')).toMatchObject({
      reason: 'the new plan was cancelled: x',
    });
    expect(replanOutcome({ id: 'run-1', state: 'running' }, 'w-01', '')).toBeNull();
    expect(replanOutcome(undefined, 'w-01', '')).toBeNull();
  });
});
