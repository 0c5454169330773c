import { describe, expect, it } from 'vitest';
import { decideStepOutcome } from '../../src/provisioning/step-outcome.js';

const base = {
  attempt: 1,
  maxAttempts: 2,
  index: 2,
  kind: 'run-script setup.sh',
  exitCode: 3,
  error: null,
  now: new Date('2026-01-01T00:00:00Z'),
  retry: { baseMs: 1000, capMs: 3000 },
};

describe('decideStepOutcome', () => {
  it('advances on success', () => {
    expect(decideStepOutcome({ ...base, outcome: 'succeeded' })).toEqual({ next: 'advance' });
  });

  it('retries with exponential backoff, capped', () => {
    expect(decideStepOutcome({ ...base, outcome: 'failed', maxAttempts: 5 })).toEqual({
      next: 'retry',
      notBefore: new Date('2026-01-01T00:00:01Z'),
    });
    expect(decideStepOutcome({ ...base, outcome: 'interrupted', attempt: 4, maxAttempts: 5 })).toEqual({
      next: 'retry',
      notBefore: new Date('2026-01-01T00:00:03Z'),
    });
  });

  it('fails with a reason naming step, exit code and attempts once retries are used up', () => {
    expect(decideStepOutcome({ ...base, outcome: 'failed', attempt: 2 })).toEqual({
      next: 'fail',
      reason: 'step 2 (run-script setup.sh) failed with exit code 3 after 2 attempts',
    });
    expect(
      decideStepOutcome({ ...base, outcome: 'timed-out', attempt: 2, exitCode: null, error: 'no result' }),
    ).toEqual({
      next: 'fail',
      reason: 'step 2 (run-script setup.sh) ended with timed-out after 2 attempts: no result',
    });
  });

  it('does not retry a command the agent rejected', () => {
    expect(decideStepOutcome({ ...base, outcome: 'rejected', exitCode: null })).toMatchObject({
      next: 'fail',
    });
  });
});
