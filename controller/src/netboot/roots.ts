// Per-node NFS roots: a copy of an imported image plus the node's own files. A reset builds the
// new root beside the old one and swaps them by rename, so the export path never holds a
// half-copied tree.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { isWithin, resolveLoosely } from '../host/real-paths.js';
import { isImported } from './image-import.js';
import type { NetbootLayout } from './layout.js';
import { copyImage, takeSpare } from './spares.js';

/** What `roots/.meta/<name>.json` records about a root. */
export interface RootMeta {
  image: string;
  createdAt: string;
}

/** Result of creating or resetting one root. */
export interface RootResult {
  name: string;
  image: string;
  path: string;
  /** True when an older root was replaced. */
  replaced: boolean;
  /** True when the fresh tree was a spare copy made ahead of time (a rename, not a copy). */
  fromSpare: boolean;
  /** Until the new root was in place (what the node waits for). */
  swappedSeconds: number;
  /** Including removal of the old root, unless that runs in the background. */
  seconds: number;
  /** Settles when the old root is gone. */
  cleanup: Promise<void>;
}

/** Node facts a root needs. */
export interface RootNode {
  name: string;
  image: string;
  rootPath: string;
}

/** Collaborators of the root functions. */
export interface RootDeps {
  exec: Exec;
  now: () => Date;
  /** NFS server address, for the root's /etc/fstab. */
  server: string;
  /** Do not wait for the old root's removal (it is no longer served). */
  backgroundCleanup?: boolean;
}

/**
 * Build a fresh root for `node` from its image and swap it into place. The fresh tree is a spare
 * copy made ahead of time when there is one (a rename), else `cp --reflink=auto` now (shares
 * extents on XFS/btrfs, copies on ext4). Never a hard-link farm: a node writing a file in place
 * would change the image under every other node.
 */
export async function resetRoot(layout: NetbootLayout, node: RootNode, deps: RootDeps): Promise<RootResult> {
  const started = Date.now();
  if (!(await isImported(layout, node.image)))
    throw new UserError(
      'netboot',
      `image ${node.image} is not imported: run osbuild netboot import out/${node.image}/ first`,
    );
  await mkdir(join(layout.roots, '.meta'), { recursive: true });
  const suffix = randomBytes(4).toString('hex');
  const fresh = join(layout.roots, `.${node.name}.new-${suffix}`);
  let fromSpare = false;
  try {
    fromSpare = await takeSpare(layout, node.image, fresh);
    if (!fromSpare) await copyImage(layout, node.image, fresh, deps.exec);
    await personalise(fresh, node, deps.server);
  } catch (err) {
    await rm(fresh, { recursive: true, force: true });
    throw err;
  }
  const old = join(layout.roots, `.${node.name}.old-${suffix}`);
  const replaced = (await stat(node.rootPath).catch(() => undefined)) !== undefined;
  // Two renames: the node is down while its root is reset (it reboots right after), so the
  // instant between them with no root at the path is never seen by a running client.
  if (replaced) await rename(node.rootPath, old);
  await rename(fresh, node.rootPath);
  const meta: RootMeta = { image: node.image, createdAt: deps.now().toISOString() };
  await writeFile(layout.rootMeta(node.name), `${JSON.stringify(meta)}\n`);
  const swappedSeconds = (Date.now() - started) / 1000;
  // Removing the old tree takes as long as copying it; it is no longer served, so callers that
  // want the node rebooting sooner can let it finish in the background (`cleanup`).
  const cleanup = replaced ? rm(old, { recursive: true, force: true }) : Promise.resolve();
  if (!deps.backgroundCleanup) await cleanup;
  else cleanup.catch(() => undefined); // swept by the next render (sweepLeftovers)
  return {
    name: node.name,
    image: node.image,
    path: node.rootPath,
    replaced,
    fromSpare,
    swappedSeconds,
    seconds: (Date.now() - started) / 1000,
    cleanup,
  };
}

/**
 * Remove replaced roots a crash or a background removal left behind (`.NAME.old-*`), and
 * half-made ones (`.NAME.new-*`) older than an hour: a younger one may be a reset in progress.
 */
export async function sweepLeftovers(layout: NetbootLayout, now: Date): Promise<string[]> {
  const swept: string[] = [];
  for (const name of await readdir(layout.roots).catch((): string[] => [])) {
    const m = /^\..+\.(new|old|removing)-[0-9a-f]{8}$/.exec(name);
    if (!m) continue;
    const path = join(layout.roots, name);
    if (m[1] === 'new') {
      const info = await stat(path).catch(() => undefined);
      if (!info || now.getTime() - info.mtimeMs < 3_600_000) continue;
    }
    await rm(path, { recursive: true, force: true });
    swept.push(name);
  }
  return swept;
}

/** The image a root was made from, or undefined when there is no root. */
export async function readRootMeta(layout: NetbootLayout, name: string): Promise<RootMeta | undefined> {
  const text = await readFile(layout.rootMeta(name), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  return JSON.parse(text) as RootMeta;
}

/** Names of the roots on disk (not the hidden in-progress or meta entries). */
export async function listRoots(layout: NetbootLayout): Promise<string[]> {
  const entries = await readdir(layout.roots, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** Remove a node's root and its meta (a node that left the inventory). */
export async function removeRoot(layout: NetbootLayout, name: string): Promise<void> {
  const doomed = join(layout.roots, `.${name}.removing-${randomBytes(4).toString('hex')}`);
  await rename(layout.root(name), doomed).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  await rm(doomed, { recursive: true, force: true });
  await rm(layout.rootMeta(name), { force: true });
}

/**
 * The node's own files: hostname, an empty machine-id (systemd makes a new one at first boot, so
 * two nodes never share one), no agent state (the node enrols afresh), and an fstab whose root is
 * its NFS export. Every path is confined to the root: a symlink in the image (`etc/hostname ->
 * /etc/shadow`, `var/lib -> /var/lib`) is the node's to follow, never the server's, so it is
 * replaced rather than written through, and a directory leading out is refused.
 */
async function personalise(root: string, node: RootNode, server: string): Promise<void> {
  await mkdir(join(root, 'etc'), { recursive: true });
  const inRoot = confinedTo(root);
  await replaceFile(await inRoot('etc/hostname'), `${node.name}\n`);
  await replaceFile(await inRoot('etc/machine-id'), '');
  await rm(await inRoot('var/lib/dbus/machine-id'), { force: true });
  await rm(await inRoot('var/lib/osbuild'), { recursive: true, force: true });
  await mkdir(await inRoot('var/lib/osbuild'), { recursive: true, mode: 0o700 });
  const fstabPath = await inRoot('etc/fstab');
  const fstabInfo = await lstat(fstabPath).catch(() => undefined);
  const imageFstab = fstabInfo?.isFile() ? await readFile(fstabPath, 'utf8') : '';
  // Drop the image's own `/` line (disk.img's root partition) and keep the rest.
  const kept = imageFstab
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\S+\s+\/\s/.test(l.trim()))
    .filter((l) => !l.startsWith('# osbuild netboot'));
  const fstab = [
    "# osbuild netboot: the root is this node's NFS export (mounted by the kernel, root=/dev/nfs)",
    `${server}:${node.rootPath} / nfs4 rw,vers=4.1,proto=tcp 0 0`,
    ...kept,
  ];
  await replaceFile(fstabPath, `${fstab.join('\n')}\n`);
}

/** `rel` under `root`, refused when an existing directory on the way resolves outside `root`. */
function confinedTo(root: string): (rel: string) => Promise<string> {
  return async (rel) => {
    const path = join(root, rel);
    const [realRoot, parent] = await Promise.all([realpath(root), resolveLoosely(dirname(path))]);
    if (!isWithin(realRoot, parent)) {
      throw new UserError(
        'netboot',
        `the image's ${dirname(rel)} leads outside the node root ${root} (to ${parent}); refusing to write ${rel} through it`,
      );
    }
    return path;
  };
}

/** Write a fresh regular file: an existing symlink at `path` is removed, never followed. */
async function replaceFile(path: string, data: string): Promise<void> {
  await rm(path, { force: true });
  await writeFile(path, data, { flag: 'wx' });
}
