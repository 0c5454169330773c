// The benchmark's arithmetic: percentiles and CPU shares are what docs/performance.md reports.
import { describe, expect, it } from 'vitest';
import { percentile, summary } from '../../bench/support/stats.js';
import { cpuPercent } from '../../bench/support/usage.js';

describe('benchmark statistics', () => {
  it('takes nearest-rank percentiles of unsorted values', () => {
    const xs = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 99)).toBe(10);
    expect(percentile(xs, 10)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });

  it('summarises latencies with their count', () => {
    expect(summary([3, 1, 2])).toEqual({ p50: 2, p99: 3, max: 3, n: 3 });
  });

  it('expresses CPU time between two readings as a share of one core', () => {
    const at = (atMs: number, cpuUs: number) => ({
      atMs,
      cpuUs,
      rssBytes: 0,
      heapUsedBytes: 0,
      loopDelayMs: { p50: 0, p99: 0, max: 0 },
    });
    // 1.5 s of CPU over 10 s of wall clock.
    expect(cpuPercent(at(0, 0), at(10_000, 1_500_000))).toBeCloseTo(15);
  });
});
