// Benchmark child processes: each suite runs the controller (or a bare broker) and the load in
// separate Node processes, so CPU and memory figures belong to one side only. Parent and child talk
// over the IPC channel with numbered requests; a child may also send progress lines.
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A request to a child: `type` picks the handler, the rest is its argument. */
export interface ChildRequest {
  type: string;
  [key: string]: unknown;
}

type Reply = { id: number; ok: true; data: unknown } | { id: number; ok: false; error: string };
type Progress = { progress: string };

/** A running child process with request/response over IPC. */
export interface BenchChild {
  readonly pid: number;
  call<T>(req: ChildRequest, timeoutMs?: number): Promise<T>;
  /** Ask the child to finish (`stop` request), then wait for it to exit; kills it if it hangs. */
  stop(): Promise<void>;
}

/** Fork `script` (a .ts file next to the suites) under tsx; progress lines go to stderr. */
export function forkChild(script: string, label: string): BenchChild {
  const file = fileURLToPath(new URL(`../${script}`, import.meta.url));
  const child: ChildProcess = fork(file, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let next = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (m: Reply | Progress) => {
    if ('progress' in m) {
      process.stderr.write(`  [${label}] ${m.progress}\n`);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.data);
    else p.reject(new Error(`${label}: ${m.error}`));
  });
  child.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${label} exited (${code ?? signal})`));
    pending.clear();
  });
  if (child.pid === undefined) throw new Error(`could not start ${label}`);
  const pid = child.pid;
  const call = <T>(req: ChildRequest, timeoutMs = 600_000): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${label}: no answer to ${req.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      child.send({ id, ...req });
    });
  return {
    pid,
    call,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      await call({ type: 'stop' }, 60_000).catch(() => undefined);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Child side: answer requests with `handlers`; `stop` runs `onStop` and then exits. */
export function serveParent(
  handlers: Record<string, (req: ChildRequest) => Promise<unknown> | unknown>,
  onStop: () => Promise<void>,
): void {
  if (!process.send) throw new Error('a benchmark child must be started by the benchmark (no IPC channel)');
  const send = (m: Reply | Progress) => process.send?.(m);
  process.on('message', (m: ChildRequest & { id: number }) => {
    void (async () => {
      try {
        if (m.type === 'stop') {
          await onStop();
          send({ id: m.id, ok: true, data: null });
          process.disconnect();
          // Sockets of thousands of clients may keep the loop alive for a while; we are done.
          setTimeout(() => process.exit(0), 200).unref();
          return;
        }
        const handler = handlers[m.type];
        if (!handler) throw new Error(`unknown request ${m.type}`);
        send({ id: m.id, ok: true, data: (await handler(m)) ?? null });
      } catch (err) {
        send({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) });
      }
    })();
  });
  // An orphaned child (parent killed) must not linger with thousands of sockets.
  process.on('disconnect', () => setTimeout(() => process.exit(0), 1_000).unref());
}

/** Send a progress line to the parent (printed on its stderr). */
export function progress(line: string): void {
  process.send?.({ progress: line });
}
