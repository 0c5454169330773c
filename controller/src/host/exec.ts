// The only module of the controller that imports execa; git is the one program the controller runs.
import { execa } from 'execa';

/** Result of a finished program. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** A program that exited non-zero or timed out; carries what it printed, for reasons and logs. */
export class ExecError extends Error {
  constructor(
    message: string,
    /** null when it was killed (timeout or signal). */
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    readonly timedOut: boolean,
  ) {
    super(message);
    this.name = 'ExecError';
  }
}

/** Run a program without a shell; arguments never pass through string interpolation. */
export type Exec = (
  file: string,
  args: readonly string[],
  opts?: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number },
) => Promise<ExecResult>;

/** The real {@link Exec}; a non-zero exit rejects with an {@link ExecError} (stderr tail in the message). */
export const exec: Exec = async (file, args, opts = {}) => {
  const result = await execa(file, args, {
    cwd: opts.cwd,
    env: opts.env,
    input: opts.input,
    timeout: opts.timeoutMs ?? 60_000,
    reject: false,
  });
  if (result.exitCode !== 0) {
    const detail = (result.stderr || result.stdout || String(result.shortMessage))
      .trim()
      .split('\n')
      .slice(-3)
      .join(' | ');
    const how = result.timedOut
      ? `timed out after ${Math.round((opts.timeoutMs ?? 60_000) / 1000)} s`
      : `exited with ${result.exitCode ?? 'a signal'}`;
    throw new ExecError(
      `${file} ${args.join(' ')} ${how}: ${detail}`,
      result.exitCode ?? null,
      result.stdout,
      result.stderr,
      result.timedOut === true,
    );
  }
  return { stdout: result.stdout, stderr: result.stderr, exitCode: 0 };
};
