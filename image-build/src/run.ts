import { execa } from 'execa';

/** Run a build tool; its output goes to the build log, and a failure names the command. */
export type Run = (
  file: string,
  args: string[],
  opts?: { env?: Record<string, string>; cwd?: string },
) => Promise<string>;

/** A build step that failed; the driver prints it and exits non-zero. */
export class BuildError extends Error {}

/**
 * System directories first: helpers such as mmdebstrap's mmtarfilter run `env python3`, and a
 * version manager's shim earlier in PATH (pyenv) costs a second per package.
 */
const SYSTEM_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';

/** The real runner: execa, stderr kept for the error message, stdout returned. */
export function makeRun(log: (line: string) => void): Run {
  return async (file, args, opts = {}) => {
    log(`$ ${file} ${args.join(' ')}`);
    const res = await execa(file, args, {
      env: { ...opts.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ''}` },
      cwd: opts.cwd,
      reject: false,
      all: true,
      stdin: 'ignore',
      maxBuffer: 256 * 1024 * 1024,
    });
    if (res.exitCode !== 0) {
      const tail = (res.all ?? '').split('\n').slice(-30).join('\n');
      throw new BuildError(`${file} ${args.join(' ')} failed (exit ${res.exitCode ?? res.signal}):\n${tail}`);
    }
    if (res.all) log(res.all);
    return res.stdout;
  };
}
