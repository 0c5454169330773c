// The only module of the controller that imports execa: git, the netboot tools, operators' hooks.
import { execa } from 'execa';

/** Result of a finished program. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How a program failed: its exit code, our timeout, a signal, or it never started. */
export type ExecFailure = 'exit' | 'timeout' | 'signal' | 'spawn';

/** A program that exited non-zero or timed out; carries what it printed, for reasons and logs. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** null when it was killed (timeout or signal) or never started. */
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
    readonly failure: ExecFailure = timedOut ? 'timeout' : exitCode === null ? 'signal' : 'exit',
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/** Options of one {@link Exec} call. */
export interface ExecOptions {
  cwd?: string;
  /** Added to the controller's environment, or the whole environment with `isolated`. */
  env?: Record<string, string>;
  input?: string;
  timeoutMs?: number;
  /**
   * An operator's program (power hook): only `env` is passed, and at the timeout its whole
   * process group is killed, so a child it started cannot hold the output pipes open.
   */
  isolated?: boolean;
}

/** Run a program without a shell; arguments never pass through string interpolation. */
export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

/** The real {@link Exec}; a non-zero exit rejects with an {@link ExecError} (stderr tail in the message). */
export const exec: Exec = async (file, args, opts = {}) => {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  let groupKilled = false;
  const child = execa(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    input: opts.input,
    reject: false,
    ...(opts.isolated ? { extendEnv: false, detached: true } : { timeout: timeoutMs }),
  });
  const timer = opts.isolated
    ? setTimeout(() => {
        groupKilled = true;
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, timeoutMs)
    : undefined;
  const result = await child.finally(() => clearTimeout(timer));
  if (result.exitCode !== 0) {
    const timedOut = result.timedOut === true || groupKilled;
    const spawned = result.exitCode !== undefined || result.signal !== undefined || timedOut;
    const detail = (result.stderr || result.stdout || String(result.shortMessage))
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    const how = timedOut
      ? `timed out after ${Math.round(timeoutMs / 1000)} s`
      : spawned
        ? `exited with ${result.exitCode ?? result.signal ?? 'a signal'}`
        : 'could not be started';
    throw new ExecError(
      `${file} ${args.join(' ')} ${how}: ${detail}`,
      result.exitCode ?? null,
      String(result.stdout ?? ''),
      String(result.stderr ?? ''),
      timedOut,
      timedOut ? 'timeout' : !spawned ? 'spawn' : result.exitCode === undefined ? 'signal' : 'exit',
    );
  }
  return { stdout: result.stdout, stderr: result.stderr, exitCode: 0 };
};
