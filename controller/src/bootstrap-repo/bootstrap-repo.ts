import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import type { Exec } from '../host/exec.js';
import type { BootstrapSource } from '../provisioning/planner.js';

const FULL_COMMIT = /^[0-9a-f]{40}$/;

// Fixed author and date: the same bootstrap tree on the same parent always yields the same commit,
// so restarting the controller does not mint new commits (and new plans) for unchanged scripts.
const SNAPSHOT_ENV = {
  GIT_AUTHOR_NAME: 'osbuild-controller',
  GIT_AUTHOR_EMAIL: 'controller@osbuild.invalid',
  GIT_AUTHOR_DATE: '1970-01-01T00:00:00Z',
  GIT_COMMITTER_NAME: 'osbuild-controller',
  GIT_COMMITTER_EMAIL: 'controller@osbuild.invalid',
  GIT_COMMITTER_DATE: '1970-01-01T00:00:00Z',
};

/**
 * Commit the current contents of `sourceDir` into the bare repository `bareDir` (branch `main`)
 * and prepare it for dumb-HTTP serving. Returns the commit nodes should run. The source directory
 * is never touched: a private index file in `bareDir` does the staging.
 */
export async function snapshotDirectory(
  exec: Exec,
  sourceDir: string,
  bareDir: string,
  exclude: readonly string[] = [],
): Promise<string> {
  if (!existsSync(sourceDir)) throw new Error(`bootstrap directory ${sourceDir} does not exist`);
  if (!existsSync(`${bareDir}/HEAD`)) {
    await mkdir(bareDir, { recursive: true });
    await exec('git', ['init', '--quiet', '--bare', bareDir]);
    await exec('git', ['--git-dir', bareDir, 'symbolic-ref', 'HEAD', 'refs/heads/main']);
  }
  const env = {
    ...process.env,
    ...SNAPSHOT_ENV,
    GIT_DIR: bareDir,
    GIT_WORK_TREE: sourceDir,
    GIT_INDEX_FILE: `${bareDir}/osbuild-snapshot.index`,
  } as Record<string, string>;
  await exec('git', ['add', '--all', '.'], { cwd: sourceDir, env });
  // The repository is served without authentication: never publish the inventory (it lists the
  // MACs and serials a rogue board would have to claim) even when it lives in the directory.
  for (const file of exclude) {
    const rel = relative(sourceDir, file);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    await exec('git', ['rm', '--cached', '--quiet', '--ignore-unmatch', '--', rel], { cwd: sourceDir, env });
  }
  const tree = (await exec('git', ['write-tree'], { cwd: sourceDir, env })).stdout.trim();
  const parent = await exec('git', ['rev-parse', '--verify', '--quiet', 'refs/heads/main'], { env }).then(
    (r) => r.stdout.trim(),
    () => null,
  );
  if (parent) {
    const parentTree = (await exec('git', ['rev-parse', `${parent}^{tree}`], { env })).stdout.trim();
    if (parentTree === tree) return parent;
  }
  const args = ['commit-tree', tree, '-m', `bootstrap snapshot of ${sourceDir}`];
  if (parent) args.push('-p', parent);
  const commit = (await exec('git', args, { env })).stdout.trim();
  await exec('git', ['update-ref', 'refs/heads/main', commit], { env });
  await exec('git', ['update-server-info'], { env });
  return commit;
}

/** Pin a branch, tag or commit of an external repository to a full commit id. */
export async function resolveRef(exec: Exec, repo: string, ref: string): Promise<string> {
  if (FULL_COMMIT.test(ref)) return ref;
  const out = (await exec('git', ['ls-remote', repo, ref], { timeoutMs: 30_000 })).stdout.trim();
  const first = out.split('\n')[0]?.split(/\s+/)[0] ?? '';
  if (!FULL_COMMIT.test(first)) throw new Error(`ref ${ref} not found in ${repo}`);
  return first;
}

/** Where nodes get their scripts from, given the inventory's bootstrap section. */
export async function resolveBootstrap(opts: {
  exec: Exec;
  repo: string | undefined;
  ref: string;
  bootstrapDir: string;
  bareDir: string;
  publicHttpUrl: string;
  /** Files under bootstrapDir that must not be served (the inventory). */
  exclude?: readonly string[];
}): Promise<BootstrapSource> {
  if (opts.repo) return { repo: opts.repo, commit: await resolveRef(opts.exec, opts.repo, opts.ref) };
  const commit = await snapshotDirectory(opts.exec, opts.bootstrapDir, opts.bareDir, opts.exclude);
  return { repo: `${opts.publicHttpUrl.replace(/\/$/, '')}/bootstrap.git`, commit };
}
