/**
 * Token buckets per key (source address, nodeId): `burst` events at once, refilled at `perSecond`.
 * Keys idle long enough to be full again are forgotten, so memory follows the active set.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly opts: { burst: number; perSecond: number; now: () => number; maxKeys?: number },
  ) {}

  /** Take `cost` tokens (default one) for `key`; false, taking none, when the key is over its rate. */
  take(key: string, cost = 1): boolean {
    const now = this.opts.now();
    const b = this.buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    const refilled = Math.min(this.opts.burst, b.tokens + ((now - b.at) / 1000) * this.opts.perSecond);
    if (refilled < cost) {
      this.buckets.set(key, { tokens: refilled, at: now });
      return false;
    }
    this.buckets.set(key, { tokens: refilled - cost, at: now });
    if (this.buckets.size > (this.opts.maxKeys ?? 100_000)) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    const full = (this.opts.burst / this.opts.perSecond) * 1000;
    for (const [k, b] of this.buckets) if (now - b.at > full) this.buckets.delete(k);
  }
}

/** Loopback sources are the controller host itself (CLI, tests, a co-located fleet simulator). */
export function isLoopback(address: string | undefined): boolean {
  return (
    address === '::1' || address?.startsWith('127.') === true || address?.startsWith('::ffff:127.') === true
  );
}
