/** Reconnect delay parameters. */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
  /** Uniform random in [0, 1); injectable so tests are deterministic. */
  random?: () => number;
}

/**
 * Exponential backoff with full jitter: delay = random(0, min(cap, base * 2^attempt)). Full
 * jitter spreads a fleet of agents reconnecting after a controller restart instead of having them
 * all knock at once (AWS Architecture Blog, "Exponential Backoff And Jitter").
 */
export class Backoff {
  #attempt = 0;
  readonly #random: () => number;

  constructor(private readonly opts: BackoffOptions) {
    this.#random = opts.random ?? Math.random;
  }

  /** Attempts since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next attempt; advances the attempt counter. */
  next(): number {
    // Cap the exponent so 2^attempt never overflows into Infinity on a node offline for days.
    const ceiling = Math.min(this.opts.capMs, this.opts.baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt += 1;
    return Math.floor(this.#random() * ceiling);
  }

  /** Start over after a successful connection. */
  reset(): void {
    this.#attempt = 0;
  }
}
