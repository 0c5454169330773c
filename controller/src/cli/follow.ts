import type { CliContext } from './context.js';

/**
 * Poll `fetch` for items after the last id seen and hand each to `emit`; with `follow`, keep
 * polling until the process is asked to stop (SIGINT/SIGTERM), else return after the first page.
 */
export async function pollAfter<T extends { id: number }>(
  ctx: CliContext,
  opts: {
    follow: boolean;
    pollMs: number;
    fetch: (afterId: number) => Promise<T[]>;
    emit: (item: T) => void;
  },
): Promise<void> {
  let stopped = !opts.follow;
  const stop = opts.follow
    ? (ctx.io.waitForShutdown?.() ?? new Promise<string>(() => {}))
    : Promise.resolve('');
  void stop.then(() => {
    stopped = true;
  });
  let after = 0;
  for (;;) {
    const page = await opts.fetch(after);
    for (const item of page) {
      opts.emit(item);
      after = Math.max(after, item.id);
    }
    if (stopped) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise((r) => {
        timer = setTimeout(r, opts.pollMs);
      }),
      stop,
    ]);
    clearTimeout(timer);
    // One last page after the stop signal, so lines that arrived meanwhile are not lost.
  }
}
