import type { Command } from '@osbuild/shared';

/** Commands waiting to run, in arrival order; one runs at a time. */
export class CommandQueue {
  #items: Command[] = [];
  #waiter: (() => void) | null = null;

  has(id: string): boolean {
    return this.#items.some((c) => c.id === id);
  }

  push(cmd: Command): void {
    this.#items.push(cmd);
    this.#waiter?.();
  }

  clear(): void {
    this.#items = [];
  }

  /** The next command, or null once `signal` aborts. */
  async next(signal: AbortSignal): Promise<Command | null> {
    while (!signal.aborted) {
      const cmd = this.#items.shift();
      if (cmd) return cmd;
      await new Promise<void>((resolve) => {
        const done = () => {
          this.#waiter = null;
          signal.removeEventListener('abort', done);
          resolve();
        };
        this.#waiter = done;
        signal.addEventListener('abort', done, { once: true });
      });
    }
    return null;
  }
}
