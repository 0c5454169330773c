/**
 * The delayed retries of the Kubernetes module (a failed join preparation, a broken Node watch),
 * cancelled together when the module stops: nothing is scheduled or run after `stop`.
 */
export class RetryTimers {
  readonly #timers = new Set<NodeJS.Timeout>();
  #stopped = false;

  constructor(private readonly delayMs: number) {}

  /** True once the module stopped: watches are not restarted, adopted kubeconfigs not picked up. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Run `fn` after the retry delay, unless the module stops first. */
  later(fn: () => void): void {
    if (this.#stopped) return;
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, this.delayMs);
    t.unref();
    this.#timers.add(t);
  }

  stop(): void {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }
}
