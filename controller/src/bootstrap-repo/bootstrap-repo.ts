import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { Exec } from '../host/exec.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import { LAYOUT_DIRS, listServedFiles, type ServedFiles, type UnsafePath } from './served-files.js';

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

/** A snapshot: the commit nodes should run and what was (and was not) served. */
export interface Snapshot {
  commit: string;
  rule: ServedFiles['rule'];
  files: number;
  skipped: string[];
}

/**
 * Commit the files of `sourceDir` that may be served ({@link listServedFiles}: tracked by git, or
 * the repository layout) into the bare repository `bareDir` (branch `main`) and prepare it for
 * dumb-HTTP serving. Refuses when a served path resolves outside `sourceDir` or into
 * `privateRoots`. The source directory is never touched: a private index file in `bareDir` does
 * the staging.
 */
export async function snapshotDirectory(
  exec: Exec,
  sourceDir: string,
  bareDir: string,
  opts: { exclude?: readonly string[]; privateRoots?: readonly string[] } = {},
): Promise<Snapshot> {
  if (!existsSync(sourceDir)) throw new Error(`bootstrap directory ${sourceDir} does not exist`);
  const served = await listServedFiles(exec, sourceDir, opts);
  const bad = served.unsafe[0];
  if (bad) throw new Error(`refusing to serve ${sourceDir}: ${describeUnsafe(bad)}`);
  if (served.files.length === 0) {
    throw new Error(
      served.rule === 'git'
        ? `nothing to serve in ${sourceDir}: git tracks no file there (git add the scripts)`
        : `nothing to serve in ${sourceDir}: no *.sh at the top and nothing in ${LAYOUT_DIRS.join('/, ')}/`,
    );
  }
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
  // Exactly the listed paths: start from an empty index, so nothing staged earlier lingers.
  await exec('git', ['read-tree', '--empty'], { cwd: sourceDir, env });
  await exec('git', ['update-index', '--add', '-z', '--stdin'], {
    cwd: sourceDir,
    env,
    input: served.files.map((f) => `${f}\0`).join(''),
  });
  const summary = { rule: served.rule, files: served.files.length, skipped: served.skipped };
  const tree = (await exec('git', ['write-tree'], { cwd: sourceDir, env })).stdout.trim();
  const parent = await exec('git', ['rev-parse', '--verify', '--quiet', 'refs/heads/main'], { env }).then(
    (r) => r.stdout.trim(),
    () => null,
  );
  if (parent) {
    const parentTree = (await exec('git', ['rev-parse', `${parent}^{tree}`], { env })).stdout.trim();
    if (parentTree === tree) return { commit: parent, ...summary };
  }
  const args = ['commit-tree', tree, '-m', `bootstrap snapshot of ${sourceDir}`];
  if (parent) args.push('-p', parent);
  const commit = (await exec('git', args, { env })).stdout.trim();
  await exec('git', ['update-ref', 'refs/heads/main', commit], { env });
  await exec('git', ['update-server-info'], { env });
  return { commit, ...summary };
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
  /** Paths no served file may resolve into (the data directory and every private file). */
  privateRoots?: readonly string[];
}): Promise<{ source: BootstrapSource; snapshot?: Snapshot }> {
  if (opts.repo)
    return { source: { repo: opts.repo, commit: await resolveRef(opts.exec, opts.repo, opts.ref) } };
  const snapshot = await snapshotDirectory(opts.exec, opts.bootstrapDir, opts.bareDir, {
    ...(opts.exclude ? { exclude: opts.exclude } : {}),
    ...(opts.privateRoots ? { privateRoots: opts.privateRoots } : {}),
  });
  const repo = `${opts.publicHttpUrl.replace(/\/$/, '')}/bootstrap.git`;
  return { source: { repo, commit: snapshot.commit }, snapshot };
}

/** One line for a served path that resolves where it must not. */
export function describeUnsafe(u: UnsafePath): string {
  return u.target === null
    ? `${u.path} is a dangling symlink`
    : `${u.path} resolves to ${u.target}, ${u.why}`;
}
