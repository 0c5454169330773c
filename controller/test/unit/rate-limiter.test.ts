import { describe, expect, it } from 'vitest';
import { isLoopback, RateLimiter } from '../../src/auth/rate-limiter.js';

describe('RateLimiter', () => {
  it('allows a burst, then refills at the configured rate, per key', () => {
    let t = 0;
    const rl = new RateLimiter({ burst: 3, perSecond: 2, now: () => t });
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
    expect(rl.take('b')).toBe(true); // keys are independent
    t += 499;
    expect(rl.take('a')).toBe(false);
    t += 1;
    expect(rl.take('a')).toBe(true);
    t += 10_000;
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
  });

  it('forgets idle keys when it holds too many', () => {
    let t = 0;
    const rl = new RateLimiter({ burst: 1, perSecond: 1, now: () => t, maxKeys: 10 });
    for (let i = 0; i < 10; i++) rl.take(`k${i}`);
    t += 5_000;
    rl.take('k10');
    // k0 was pruned: it starts again with a full bucket rather than being remembered forever.
    expect(rl.take('k0')).toBe(true);
  });

  it('recognises loopback sources', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a)).toBe(true);
    for (const a of ['10.0.10.2', '::ffff:10.0.0.1', undefined, '']) expect(isLoopback(a)).toBe(false);
  });
});
