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

/** The real runner: execa, output streamed to `log` as it comes, stdout returned. */
export function makeRun(log: (text: string) => void): Run {
  return async (file, args, opts = {}) => {
    log(`$ ${file} ${args.join(' ')}\n`);
    const child = execa(file, args, {
      env: { ...opts.env, PATH: `${SYSTEM_PATH}:${process.env.PATH ?? ''}` },
      cwd: opts.cwd,
      reject: false,
      all: true,
      stdin: 'ignore',
      maxBuffer: 256 * 1024 * 1024,
    });
    child.all?.on('data', (d: Buffer) => log(d.toString()));
    const res = await child;
    if (res.exitCode !== 0) {
      const tail = (res.all ?? '').split('\n').slice(-30).join('\n');
      throw new BuildError(`${file} ${args.join(' ')} failed (exit ${res.exitCode ?? res.signal}):\n${tail}`);
    }
    return res.stdout;
  };
}
