import { describe, expect, it } from 'vitest';
import { Backoff } from '../../src/session/backoff.js';

describe('backoff with full jitter', () => {
  it('draws from [0, base * 2^attempt)', () => {
    const top = new Backoff({ baseMs: 100, capMs: 100_000, random: () => 0.999999 });
    expect([top.next(), top.next(), top.next(), top.next()]).toEqual([99, 199, 399, 799]);
    const bottom = new Backoff({ baseMs: 100, capMs: 100_000, random: () => 0 });
    expect([bottom.next(), bottom.next(), bottom.next()]).toEqual([0, 0, 0]);
    const half = new Backoff({ baseMs: 100, capMs: 100_000, random: () => 0.5 });
    expect([half.next(), half.next(), half.next()]).toEqual([50, 100, 200]);
  });

  it('never exceeds the cap, even after very many attempts', () => {
    const b = new Backoff({ baseMs: 1000, capMs: 5000, random: () => 0.999999 });
    const delays = Array.from({ length: 2000 }, () => b.next());
    expect(Math.max(...delays)).toBeLessThan(5000);
    expect(delays.at(-1)).toBe(4999);
    expect(Number.isFinite(b.next())).toBe(true);
  });

  it('stays within bounds with the real random source', () => {
    const b = new Backoff({ baseMs: 10, capMs: 1000 });
    for (let attempt = 0; attempt < 20; attempt++) {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThan(Math.min(1000, 10 * 2 ** attempt));
    }
  });

  it('starts over after reset', () => {
    const b = new Backoff({ baseMs: 100, capMs: 10_000, random: () => 0.5 });
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    b.reset();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(50);
  });
});
