import { createHash, randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Exec, ExecResult } from '../host/exec.js';
import { exists } from '../host/fs-util.js';

/** Marker written last into a complete checkout; a checkout without it is redone. */
const DONE_MARKER = '.osbuild-checkout-complete';

/** Git must never wait for a password prompt on a headless node. */
const GIT_ENV = { GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: 'true' };

function describe(res: ExecResult): string {
  return res.spawnError ?? (res.stderr.trim().split('\n').slice(-3).join(' ') || `exit code ${res.exitCode}`);
}

async function git(exec: Exec, args: string[], signal: AbortSignal): Promise<ExecResult> {
  return exec('git', args, { env: GIT_ENV, signal });
}

/** A URL git understands: `file://` and `http(s)://` as they are, a bare path as `file://`. */
export function normaliseRepoUrl(repo: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(repo) ? repo : `file://${path.resolve(repo)}`;
}

/**
 * Make the commit available as a plain directory: one bare cache repo per URL under
 * `<stateDir>/repos/`, fetched only when the commit is missing, and one checkout per commit under
 * `<stateDir>/checkouts/`, made once. Returns the checkout directory.
 */
export async function checkoutCommit(
  exec: Exec,
  stateDir: string,
  repo: string,
  commit: string,
  signal: AbortSignal,
): Promise<string> {
  const url = normaliseRepoUrl(repo);
  const checkout = path.join(stateDir, 'checkouts', commit);
  if (await exists(path.join(checkout, DONE_MARKER))) return checkout;

  const cache = path.join(stateDir, 'repos', createHash('sha256').update(url).digest('hex').slice(0, 16));
  if (!(await exists(path.join(cache, 'HEAD')))) {
    await mkdir(cache, { recursive: true });
    const init = await git(exec, ['init', '--bare', '--quiet', cache], signal);
    if (init.exitCode !== 0) throw new Error(`git init failed: ${describe(init)}`);
  }
  const have = await git(exec, ['--git-dir', cache, 'cat-file', '-e', `${commit}^{commit}`], signal);
  if (have.exitCode !== 0) {
    const fetch = await git(
      exec,
      ['--git-dir', cache, 'fetch', '--quiet', url, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'],
      signal,
    );
    if (fetch.exitCode !== 0) throw new Error(`git fetch ${url} failed: ${describe(fetch)}`);
    const again = await git(exec, ['--git-dir', cache, 'cat-file', '-e', `${commit}^{commit}`], signal);
    if (again.exitCode !== 0) throw new Error(`commit ${commit} is not in ${url}`);
  }

  // Build in a temporary directory and rename, so a crash never leaves a half checkout in place.
  const tmp = `${checkout}.tmp-${randomBytes(4).toString('hex')}`;
  await mkdir(tmp, { recursive: true });
  try {
    const co = await git(
      exec,
      [
        '--git-dir',
        cache,
        '--work-tree',
        tmp,
        '-c',
        'core.bare=false',
        'checkout',
        '--quiet',
        '--force',
        commit,
        '--',
        '.',
      ],
      signal,
    );
    if (co.exitCode !== 0) throw new Error(`git checkout ${commit} failed: ${describe(co)}`);
    await writeFile(path.join(tmp, DONE_MARKER), `${commit}\n`);
    await rm(checkout, { recursive: true, force: true });
    await rename(tmp, checkout);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return checkout;
}
