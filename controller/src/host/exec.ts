// The only module of the controller that imports execa; git is the one program the controller runs.
import { execa } from 'execa';

/** Result of a finished program. */
export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Run a program without a shell; arguments never pass through string interpolation. */
export type Exec = (
  file: string,
  args: readonly string[],
  opts?: { cwd?: string; env?: Record<string, string>; input?: string; timeoutMs?: number },
) => Promise<ExecResult>;

/** The real {@link Exec}; a non-zero exit rejects with the program's stderr in the message. */
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
    throw new Error(`${file} ${args.join(' ')} exited with ${result.exitCode ?? 'a signal'}: ${detail}`);
  }
  return { stdout: result.stdout, stderr: result.stderr, exitCode: 0 };
};
