import { execa } from 'execa';

/** Which stream a chunk of child output came from. */
export type OutputStream = 'stdout' | 'stderr';

/** Options for one child process. */
export interface ExecOptions {
  cwd?: string;
  /** Added to the agent's own environment (PATH, HOME, ...). */
  env?: Record<string, string>;
  /** Aborting kills the child's whole process group (scripts start grandchildren). */
  signal?: AbortSignal;
  /** Receives output as it arrives, decoded as UTF-8. */
  onOutput?: (stream: OutputStream, text: string) => void;
  /** Time between SIGTERM and SIGKILL of the process group after an abort. */
  killGraceMs?: number;
  /**
   * Called synchronously once the child exists (its pid leads its own process group), before any
   * output is read. If it throws, the child's group is killed and the run reports a spawn error.
   */
  onSpawn?: (pid: number) => void;
}

/** How a child process ended. `exitCode` is null when it was killed by a signal or never started. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Set when the process could not be started at all. */
  spawnError: string | null;
}

/** Run a program; never rejects for a non-zero exit. The only way the agent starts processes. */
export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    // A negative pid addresses the process group; the child leads its own group (detached).
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The real {@link Exec}, backed by execa. */
export const exec: Exec = async (file, args, opts = {}) => {
  if (opts.signal?.aborted) {
    return { exitCode: null, signal: null, stdout: '', stderr: '', spawnError: 'aborted before start' };
  }
  const child = execa(file, [...args], {
    cwd: opts.cwd,
    env: opts.env,
    extendEnv: true,
    // Own process group, so a timeout can kill `bash script.sh` and everything it started.
    detached: true,
    reject: false,
    buffer: false,
    stdin: 'ignore',
    stripFinalNewline: false,
  });
  if (child.pid !== undefined && opts.onSpawn) {
    try {
      opts.onSpawn(child.pid);
    } catch (err) {
      killGroup(child.pid, 'SIGKILL');
      await child;
      const why = err instanceof Error ? err.message : String(err);
      return { exitCode: null, signal: null, stdout: '', stderr: '', spawnError: why };
    }
  }
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    stdout += text;
    opts.onOutput?.('stdout', text);
  });
  child.stderr?.on('data', (text: string) => {
    stderr += text;
    opts.onOutput?.('stderr', text);
  });
  let killTimer: NodeJS.Timeout | undefined;
  const onAbort = () => {
    const pid = child.pid;
    if (pid === undefined) return;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => killGroup(pid, 'SIGKILL'), opts.killGraceMs ?? 2000);
    killTimer.unref();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const result = await child;
    const spawnError = result.exitCode === undefined && !result.signal ? (result.shortMessage ?? null) : null;
    return {
      exitCode: result.exitCode ?? null,
      signal: result.signal ?? null,
      stdout,
      stderr,
      spawnError,
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
};
