// Writes what the pure renderers produce as one generation under rendered/<id>/ and points
// `current` at it with an atomic symlink swap: dnsmasq and the NFS server only ever see a
// complete tree. The id is a hash of the content, so the same input renders nothing new.
import { createHash, randomBytes } from 'node:crypto';
import {
  copyFile,
  link,
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Inventory } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import type { NetbootConfig } from './config.js';
import { isImported } from './image-import.js';
import { readManifest } from './image-verify.js';
import { netbootLayout } from './layout.js';
import { type NetbootNode, netbootNodes } from './plan.js';
import { renderCmdline, renderConfigTxt } from './render-boot.js';
import { renderDnsmasqConf } from './render-dnsmasq.js';
import { renderGaneshaExports, renderGaneshaMain, renderKernelExports } from './render-exports.js';
import { listRoots, readRootMeta, removeRoot, resetRoot, sweepLeftovers } from './roots.js';
import { keepSpares } from './spares.js';

/** One file of a generation: text we rendered, or an image boot file linked in. */
type Entry = { kind: 'text'; data: string } | { kind: 'image'; source: string; sha256: string };

/** What a render did. */
export interface RenderReport {
  generation: string;
  /** False when `current` already served this exact content. */
  changed: boolean;
  /** Which daemon inputs differ from the previous generation. */
  changedFiles: string[];
  nodes: {
    name: string;
    tftpFolder: string;
    image: string;
    rootPath: string;
    root: 'created' | 'kept' | 'stale-image';
  }[];
  skipped: { name: string; reason: string }[];
  /** Roots of nodes no longer in the inventory (removed when `prune`). */
  orphanRoots: string[];
  prunedRoots: string[];
  /** Images a spare root was copied for (so the next reset is a rename). */
  sparesMade: string[];
  reloads: string[];
}

/** Collaborators of {@link renderNetboot}. */
export interface RenderDeps {
  exec: Exec;
  now: () => Date;
  progress?: (message: string) => void;
}

/** Files whose change needs a daemon reload. */
const NFS_FILES = ['exports', 'ganesha-exports.conf', 'ganesha.conf'];
const DNSMASQ_FILES = ['dnsmasq.conf'];

/** Render the netboot server for `inventory`: generation, `current` swap, missing roots. */
export async function renderNetboot(
  inventory: Inventory,
  config: NetbootConfig,
  deps: RenderDeps,
  opts: { prune?: boolean; spares?: boolean } = {},
): Promise<RenderReport> {
  const layout = netbootLayout(config.dir);
  const progress = deps.progress ?? (() => {});
  const skipped: RenderReport['skipped'] = [];
  const served: NetbootNode[] = [];
  const nodes: RenderReport['nodes'] = [];
  // Roots first: a node boots the kernel of the image its root holds, which is the inventory's
  // image for a new root, and whatever the last reset chose (`--image`) for an existing one.
  for (const node of netbootNodes(inventory, config)) {
    const meta = await readRootMeta(layout, node.name);
    const exists = (await stat(node.rootPath).catch(() => undefined)) !== undefined;
    if (exists && meta !== undefined && (await isImported(layout, meta.image))) {
      served.push({ ...node, image: meta.image });
      // A changed image in nodes.yaml takes effect on reset, never under a running node.
      nodes.push({
        ...pick({ ...node, image: meta.image }),
        root: meta.image === node.image ? 'kept' : 'stale-image',
      });
      continue;
    }
    if (!(await isImported(layout, node.image))) {
      skipped.push({
        name: node.name,
        reason: `image ${node.image} is not imported (osbuild netboot import out/${node.image}/)`,
      });
      continue;
    }
    progress(`creating root for ${node.name} from image ${node.image}`);
    await resetRoot(layout, node, { exec: deps.exec, now: deps.now, server: config.server });
    served.push(node);
    nodes.push({ ...pick(node), root: 'created' });
  }
  const entries = await generationEntries(config, served);
  const generation = generationId(entries);
  const previous = await readlink(layout.current).catch(() => undefined);
  const target = layout.generation(generation);
  const same = previous === target && (await stat(target).catch(() => undefined)) !== undefined;
  let changedFiles: string[] = [];
  if (!same) {
    progress(`rendering generation ${generation}`);
    changedFiles = await changedDaemonFiles(entries, previous);
    await writeGeneration(layout.rendered, generation, entries);
    await swapCurrent(layout.current, target);
    await dropOtherGenerations(layout.rendered, generation, deps.now());
  }
  const reloads = await runReloads(config, changedFiles, deps.exec);
  await sweepLeftovers(layout, deps.now());
  const sparesMade =
    config.spareRoots && opts.spares !== false
      ? await keepSpares(layout, new Set(served.map((n) => n.image)), deps.exec)
      : [];
  const known = new Set(netbootNodes(inventory, config).map((n) => n.name));
  const orphanRoots = (await listRoots(layout)).filter((r) => !known.has(r));
  const prunedRoots: string[] = [];
  if (opts.prune) {
    for (const name of orphanRoots) {
      await removeRoot(layout, name);
      prunedRoots.push(name);
    }
  }
  return {
    generation,
    changed: !same,
    changedFiles,
    nodes,
    skipped,
    orphanRoots: opts.prune ? [] : orphanRoots,
    prunedRoots,
    sparesMade,
    reloads,
  };
}

function pick(n: NetbootNode) {
  return { name: n.name, tftpFolder: n.tftpFolder, image: n.image, rootPath: n.rootPath };
}

/** Every file of a generation, by path relative to it. */
async function generationEntries(
  config: NetbootConfig,
  nodes: readonly NetbootNode[],
): Promise<Map<string, Entry>> {
  const layout = netbootLayout(config.dir);
  const entries = new Map<string, Entry>();
  entries.set('dnsmasq.conf', { kind: 'text', data: renderDnsmasqConf(config) });
  entries.set('exports', { kind: 'text', data: renderKernelExports(config, nodes) });
  entries.set('ganesha-exports.conf', { kind: 'text', data: renderGaneshaExports(config, nodes) });
  entries.set('ganesha.conf', {
    kind: 'text',
    data: renderGaneshaMain(config, join(layout.current, 'ganesha-exports.conf')),
  });
  entries.set('tftp/.keep', { kind: 'text', data: '' });
  for (const node of nodes) {
    const imageDir = layout.image(node.image);
    const manifest = await readManifest(imageDir);
    for (const a of manifest.artefacts) {
      if (!a.path.startsWith('boot/')) continue;
      const rel = a.path.slice('boot/'.length);
      entries.set(`tftp/${node.tftpFolder}/${rel}`, {
        kind: 'image',
        source: join(imageDir, a.path),
        sha256: a.sha256,
      });
    }
    const imageConfig = await readFile(join(imageDir, 'boot/config.txt'), 'utf8');
    entries.set(`tftp/${node.tftpFolder}/config.txt`, {
      kind: 'text',
      data: renderConfigTxt(imageConfig, node),
    });
    entries.set(`tftp/${node.tftpFolder}/cmdline.txt`, { kind: 'text', data: renderCmdline(config, node) });
  }
  return entries;
}

/** Content hash of a generation: paths and the hash of what each holds. */
export function generationId(entries: ReadonlyMap<string, Entry>): string {
  const hash = createHash('sha256');
  for (const path of [...entries.keys()].sort()) {
    const e = entries.get(path) as Entry;
    const content = e.kind === 'text' ? createHash('sha256').update(e.data).digest('hex') : e.sha256;
    hash.update(`${path}\0${content}\n`);
  }
  return hash.digest('hex').slice(0, 16);
}

async function changedDaemonFiles(
  entries: ReadonlyMap<string, Entry>,
  previous: string | undefined,
): Promise<string[]> {
  const changed: string[] = [];
  for (const name of [...DNSMASQ_FILES, ...NFS_FILES]) {
    const now = entries.get(name);
    const before = previous ? await readFile(join(previous, name), 'utf8').catch(() => undefined) : undefined;
    if (now?.kind === 'text' && now.data !== before) changed.push(name);
  }
  // A new generation means the TFTP tree or a daemon file differs; dnsmasq reads TFTP files per
  // request, so the tree needs no reload.
  changed.push('tftp');
  return changed;
}

/** Write into a hidden directory, then rename: rendered/<id> exists only when complete. */
async function writeGeneration(
  rendered: string,
  id: string,
  entries: ReadonlyMap<string, Entry>,
): Promise<void> {
  const final = join(rendered, id);
  if ((await stat(final).catch(() => undefined)) !== undefined) return; // same content, kept
  const tmp = join(rendered, `.${id}.tmp-${randomBytes(4).toString('hex')}`);
  try {
    for (const [path, e] of entries) {
      const file = join(tmp, path);
      await mkdir(dirname(file), { recursive: true });
      if (e.kind === 'text') await writeFile(file, e.data, { mode: 0o644 });
      else await linkOrCopy(e.source, file);
    }
    await rename(tmp, final);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/**
 * Boot files are hard links to the read-only image (no copy of a 10 MB kernel per node, and
 * dnsmasq serves a regular file, not a link out of its root); across filesystems, a copy.
 */
async function linkOrCopy(source: string, dest: string): Promise<void> {
  try {
    await link(source, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(source, dest);
  }
}

/** Point `current` at `target` atomically (a new symlink renamed over the old one). */
async function swapCurrent(current: string, target: string): Promise<void> {
  const tmp = `${current}.tmp-${randomBytes(4).toString('hex')}`;
  await symlink(target, tmp);
  await rename(tmp, current);
}

async function dropOtherGenerations(rendered: string, keep: string, now: Date): Promise<void> {
  for (const name of await readdir(rendered)) {
    if (name === keep) continue;
    // A hidden `.ID.tmp-*` may be another render writing right now; only an old one is a leftover.
    if (name.startsWith('.')) {
      const info = await stat(join(rendered, name)).catch(() => undefined);
      if (!info || now.getTime() - info.mtimeMs < 3_600_000) continue;
    }
    // A TFTP transfer in progress keeps its open file; unlinking does not cut it off.
    await rm(join(rendered, name), { recursive: true, force: true });
  }
}

/**
 * Run the NFS reload hook (none configured: says so). Needed after a root reset even when the
 * exports text is unchanged: the export path now names a new directory, and nfs-ganesha keeps
 * serving the old one until restarted (measured: SIGHUP is not enough; the client gets
 * NFS4ERR_STALE); nfs-kernel-server needs `exportfs -r` to resolve the path again.
 */
export async function reloadNfs(config: NetbootConfig, exec: Exec): Promise<string> {
  const argv = config.reload.nfs;
  if (!argv) return 'no reload.nfs command configured: restart the NFS server so it serves the new root';
  const [file, ...args] = argv as [string, ...string[]];
  await exec(file, args, { timeoutMs: 60_000 });
  return `ran ${argv.join(' ')}`;
}

async function runReloads(config: NetbootConfig, changed: readonly string[], exec: Exec): Promise<string[]> {
  const ran: string[] = [];
  const hooks: [string[] | undefined, readonly string[]][] = [
    [config.reload.nfs, NFS_FILES],
    [config.reload.dnsmasq, DNSMASQ_FILES],
  ];
  for (const [argv, files] of hooks) {
    if (!argv || !changed.some((f) => files.includes(f))) continue;
    const [file, ...args] = argv as [string, ...string[]];
    await exec(file, args, { timeoutMs: 60_000 });
    ran.push(argv.join(' '));
  }
  return ran;
}
