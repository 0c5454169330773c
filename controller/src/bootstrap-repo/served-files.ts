// Which files of the bootstrap directory the controller serves to every node over unauthenticated
// HTTP. An allow-list, never "everything here": a data directory, a key or a credentials file left
// in the directory must not reach a `git clone`.
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Exec } from '../host/exec.js';
import { isWithin, resolveLoosely } from '../host/real-paths.js';

/**
 * Without git, only the repository layout is served: entry scripts at the top (`*.sh`) and
 * everything below these folders. Anything else (config/, notes, backups) stays on the host.
 */
export const LAYOUT_DIRS = ['scripts', 'manifests'] as const;

/** More files than any bootstrap repository needs; past it the snapshot is refused. */
export const MAX_SERVED_FILES = 10_000;

// Names that hold secrets far more often than scripts: never served from a plain directory.
const SECRET_NAME =
  /(^(operator\.json|controller\.json|claim\.secret|audit\.log|admin\.conf|kubeconfig.*|id_(rsa|dsa|ecdsa|ed25519).*|.*\.env)$)|secret|credential|password|\.(key|pem|crt|cer|der|p12|pfx|jks|keystore|kdbx|gpg|asc|db|sqlite3?|db-wal|db-shm)$/i;

/** A served path that resolves somewhere it must not (or nowhere). */
export interface UnsafePath {
  path: string;
  /** Where it resolves; null when it does not (a dangling symlink). */
  target: string | null;
  why: 'outside the bootstrap directory' | 'a private file' | 'a file that is not served' | 'dangling';
}

/** What a snapshot of the bootstrap directory would hold. */
export interface ServedFiles {
  /** `git` when the directory is inside a git work tree (tracked paths only), else `layout`. */
  rule: 'git' | 'layout';
  /** Paths relative to the directory, `/`-separated, sorted. */
  files: string[];
  /** Paths looked at and left out (layout rule only; at most 20, for the log). */
  skipped: string[];
  /** Served paths whose real path is outside the directory or inside a private path. */
  unsafe: UnsafePath[];
}

/**
 * The files a snapshot of `dir` may serve. Inside a git work tree: the paths git tracks there
 * (`git ls-files`, i.e. the index), with their working-tree contents. Otherwise: the layout rule
 * ({@link LAYOUT_DIRS}), without dot-files, secret-looking names, files others may not read and
 * anything that is not a regular file or a symlink. Either way `exclude` (the inventory) is left
 * out, and every path is resolved: one whose real path leaves `dir` or lies in `privateRoots` is
 * reported in `unsafe` (the caller refuses to serve).
 */
export async function listServedFiles(
  exec: Exec,
  dir: string,
  opts: { exclude?: readonly string[]; privateRoots?: readonly string[] } = {},
): Promise<ServedFiles> {
  const rule = (await isGitWorkTree(exec, dir)) ? 'git' : 'layout';
  const skipped: string[] = [];
  const listed = rule === 'git' ? await trackedFiles(exec, dir) : await layoutFiles(dir, skipped);
  if (listed.length > MAX_SERVED_FILES) {
    throw new Error(`bootstrap directory ${dir} holds more than ${MAX_SERVED_FILES} files to serve`);
  }
  const realDir = await realpath(dir);
  // The inventory by its name and by its real path: a bootstrap dir reached through a symlink,
  // or a link to the inventory, must not let it through.
  const excludedNames = new Set((opts.exclude ?? []).map((f) => relative(dir, f).split(sep).join('/')));
  const excludedReal = new Set(await Promise.all((opts.exclude ?? []).map((f) => resolveLoosely(f))));
  const privateRoots = await Promise.all((opts.privateRoots ?? []).map((p) => resolveLoosely(p)));
  const resolved: { path: string; target: string | null }[] = [];
  for (const path of listed.sort()) {
    const target = await realpath(join(dir, path)).catch(() => null);
    if (excludedNames.has(path) || (target !== null && excludedReal.has(target))) continue;
    resolved.push({ path, target });
  }
  const files = resolved.map((r) => r.path);
  const servedReal = new Set(resolved.map((r) => r.target));
  const unsafe: UnsafePath[] = [];
  for (const { path, target } of resolved) {
    if (target === null) unsafe.push({ path, target, why: 'dangling' });
    else if (privateRoots.some((r) => isWithin(r, target)))
      unsafe.push({ path, target, why: 'a private file' });
    else if (!isWithin(realDir, target))
      unsafe.push({ path, target, why: 'outside the bootstrap directory' });
    // A link inside the tree to a file the rule leaves out (an untracked key, a 0600 file).
    else if (!servedReal.has(target) && !(await isDirectory(target)))
      unsafe.push({ path, target, why: 'a file that is not served' });
  }
  return { rule, files, skipped: skipped.slice(0, 20), unsafe };
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => null))?.isDirectory() === true;
}

async function isGitWorkTree(exec: Exec, dir: string): Promise<boolean> {
  const out = await exec('git', ['rev-parse', '--is-inside-work-tree'], { cwd: dir }).then(
    (r) => r.stdout.trim(),
    () => 'false', // not a repository (or one git refuses to use): the stricter layout rule applies
  );
  return out === 'true';
}

/** Tracked paths below `dir`, relative to it; submodules and paths deleted from the tree are left out. */
async function trackedFiles(exec: Exec, dir: string): Promise<string[]> {
  const out = (await exec('git', ['ls-files', '-z', '--stage'], { cwd: dir })).stdout;
  const paths = new Set<string>();
  for (const entry of out.split('\0')) {
    const m = /^(\d{6}) [0-9a-f]+ \d\t(.+)$/s.exec(entry);
    if (!m || m[1] === '160000') continue; // 160000: a submodule, not a file of this repository
    paths.add(m[2] as string);
  }
  const present: string[] = [];
  for (const p of paths) {
    if (
      await lstat(join(dir, p)).then(
        () => true,
        () => false,
      )
    )
      present.push(p);
  }
  return present;
}

/** The layout rule's walk: never follows a symlinked directory, never enters a dot-directory. */
async function layoutFiles(dir: string, skipped: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const isLayoutDir = entry.isDirectory() && (LAYOUT_DIRS as readonly string[]).includes(entry.name);
    if (isLayoutDir) await walk(dir, entry.name, files, skipped);
    else if (entry.name.endsWith('.sh') && (await servable(dir, entry.name))) files.push(entry.name);
    else skipped.push(entry.name);
  }
  return files;
}

async function walk(dir: string, sub: string, files: string[], skipped: string[]): Promise<void> {
  for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
    const rel = `${sub}/${entry.name}`;
    if (entry.isDirectory() && !entry.name.startsWith('.')) await walk(dir, rel, files, skipped);
    else if (await servable(dir, rel)) files.push(rel);
    else skipped.push(rel);
    if (files.length > MAX_SERVED_FILES) return;
  }
}

/** A file the layout rule serves: visible name, not secret-looking, readable by anyone. */
async function servable(dir: string, rel: string): Promise<boolean> {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  if (name.startsWith('.') || SECRET_NAME.test(name)) return false;
  const info = await lstat(join(dir, rel)).catch(() => null);
  if (info?.isSymbolicLink()) return true; // checked by its real path afterwards
  // A file its owner keeps from others (0600, like every key the controller writes) is private.
  return info?.isFile() === true && (info.mode & 0o004) !== 0;
}
