import { describe, expect, it } from 'vitest';
import { SIM_STEP_SECONDS, simDecision, simulatedExecutors } from '../../src/sim/sim-executors.js';

describe('simulated step runner', () => {
  it('is deterministic by seed and board, and differs across seeds', () => {
    const o = { seed: 7, index: 3, failRate: 0.3, speed: 1 };
    const a = Array.from({ length: 50 }, (_, n) => simDecision(o, 'run-script', n));
    const b = Array.from({ length: 50 }, (_, n) => simDecision(o, 'run-script', n));
    expect(a).toEqual(b);
    const other = Array.from({ length: 50 }, (_, n) => simDecision({ ...o, seed: 8 }, 'run-script', n));
    expect(other).not.toEqual(a);
  });

  it('keeps durations within base ± jitter, divided by speed', () => {
    for (let n = 0; n < 200; n++) {
      const d = simDecision({ seed: 1, index: n, failRate: 0, speed: 10 }, 'run-script', n);
      const t = SIM_STEP_SECONDS['run-script'];
      expect(d.seconds).toBeGreaterThanOrEqual((t.base - t.jitter) / 10);
      expect(d.seconds).toBeLessThanOrEqual((t.base + t.jitter) / 10);
    }
  });

  it('fails at about the given rate (0 never, 1 always)', () => {
    const rate = (failRate: number) => {
      let fails = 0;
      for (let i = 0; i < 2000; i++)
        if (simDecision({ seed: 2, index: i, failRate, speed: 1 }, 'write-file', 0).fails) fails++;
      return fails / 2000;
    };
    expect(rate(0)).toBe(0);
    expect(rate(1)).toBe(1);
    expect(Math.abs(rate(0.2) - 0.2)).toBeLessThan(0.04);
  });

  it('refuses a rate outside 0..1 and a non-positive speed', () => {
    expect(() => simulatedExecutors({ seed: 0, index: 0, failRate: 1.5, speed: 1 })).toThrow(/fail rate/);
    expect(() => simulatedExecutors({ seed: 0, index: 0, failRate: 0, speed: 0 })).toThrow(/speed/);
  });
});
