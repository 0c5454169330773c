// `netboot render` on a real directory: generation + atomic `current` swap, idempotence, a node
// leaving the inventory, roots made from an imported image, reset and `--image`.
import { mkdtemp, readdir, readFile, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { createNetbootReset, netbootResetFromFiles } from '../../src/netboot/netboot-reset.js';
import { renderNetboot } from '../../src/netboot/render-tree.js';
import { netbootConfig, netbootInventory } from '../support/netboot-fixture.js';
import { makeImageVersion } from '../support/netboot-image.js';

let work: string;
const now = () => new Date('2026-11-26T00:00:00Z');
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-netboot-render-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function setup(versions: string[] = ['v1']) {
  const config = netbootConfig(join(work, 'srv'));
  const layout = netbootLayout(config.dir);
  for (const v of versions) await importImage(await makeImageVersion(join(work, 'out'), v), layout, { exec });
  return { config, layout };
}

describe('netboot render', () => {
  it('writes a complete generation, points current at it, and creates personalised roots', async () => {
    const { config, layout } = await setup();
    const report = await renderNetboot(netbootInventory(), config, { exec, now });
    expect(report.changed).toBe(true);
    expect(report.nodes.map((n) => [n.name, n.root])).toEqual([
      ['pi-cp-1', 'created'],
      ['pi-w-1', 'created'],
    ]);
    expect(await readlink(layout.current)).toBe(layout.generation(report.generation));
    const tftp = layout.tftpRoot;
    expect((await readdir(tftp)).sort()).toEqual(['.keep', 'aabbccdd', 'c0ffee01']);
    expect((await readdir(join(tftp, 'aabbccdd'))).sort()).toEqual([
      'bcm2712-rpi-5-b.dtb',
      'bcm2712d0-rpi-5-b.dtb',
      'cmdline.txt',
      'config.txt',
      'kernel_2712.img',
      'overlays',
    ]);
    // The kernel is a hard link to the immutable image (same inode), not a copy per node.
    const kernel = await stat(join(tftp, 'aabbccdd/kernel_2712.img'));
    expect(kernel.ino).toBe((await stat(join(layout.imageBoot('v1'), 'kernel_2712.img'))).ino);
    expect(await readFile(join(tftp, 'c0ffee01/cmdline.txt'), 'utf8')).toContain(
      `nfsroot=10.0.10.2:${layout.root('pi-w-1')},vers=4.1`,
    );
    const root = layout.root('pi-cp-1');
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toBe('pi-cp-1\n');
    expect(await readFile(join(root, 'etc/machine-id'), 'utf8')).toBe('');
    expect(await readdir(join(root, 'var/lib/osbuild'))).toEqual([]);
    const fstab = await readFile(join(root, 'etc/fstab'), 'utf8');
    expect(fstab).toContain(`10.0.10.2:${root} / nfs4 rw,vers=4.1,proto=tcp 0 0`);
    expect(fstab).not.toContain('LABEL=rootfs');
    expect(fstab).toContain('LABEL=bootfs /boot/firmware');
    // The image itself is untouched.
    expect(await readFile(join(layout.imageRootfs('v1'), 'etc/hostname'), 'utf8')).toBe('localhost\n');
    expect(await readFile(join(layout.dir, 'current/ganesha-exports.conf'), 'utf8')).toContain(
      `Path = "${root}"`,
    );
  });

  it('is idempotent: the same input keeps the generation and rewrites nothing', async () => {
    const { config, layout } = await setup();
    const first = await renderNetboot(netbootInventory(), config, { exec, now });
    const before = await stat(join(layout.current, 'exports'));
    const rootBefore = await stat(join(layout.root('pi-cp-1'), 'etc/hostname'));
    const second = await renderNetboot(netbootInventory(), config, { exec, now });
    expect(second).toMatchObject({ generation: first.generation, changed: false, changedFiles: [] });
    expect(second.nodes.every((n) => n.root === 'kept')).toBe(true);
    expect((await stat(join(layout.current, 'exports'))).mtimeMs).toBe(before.mtimeMs);
    expect((await stat(join(layout.root('pi-cp-1'), 'etc/hostname'))).mtimeMs).toBe(rootBefore.mtimeMs);
    expect(await readdir(layout.rendered)).toEqual([first.generation]);
  });

  it('a node removed from the inventory loses its TFTP folder and export; its root is pruned on request', async () => {
    const { config, layout } = await setup();
    await renderNetboot(netbootInventory(), config, { exec, now });
    const smaller = netbootInventory({
      nodes: [
        {
          hostname: 'pi-cp-1',
          role: 'control-plane',
          serial: '10000000aabbccdd',
          ip: '10.0.10.11',
          netboot: {},
        },
      ],
    });
    const report = await renderNetboot(smaller, config, { exec, now });
    expect(report.changed).toBe(true);
    expect(report.changedFiles).toEqual(expect.arrayContaining(['exports', 'ganesha-exports.conf']));
    expect(report.orphanRoots).toEqual(['pi-w-1']);
    expect(await readdir(layout.tftpRoot)).not.toContain('c0ffee01');
    expect(await readFile(join(layout.current, 'exports'), 'utf8')).not.toContain('pi-w-1');
    expect(await readFile(join(layout.current, 'ganesha-exports.conf'), 'utf8')).not.toContain('pi-w-1');
    const pruned = await renderNetboot(smaller, config, { exec, now }, { prune: true });
    expect(pruned.prunedRoots).toEqual(['pi-w-1']);
    await expect(stat(layout.root('pi-w-1'))).rejects.toThrow();
  });

  it('skips (and reports) a node whose image is not imported, and serves the others', async () => {
    const { config, layout } = await setup();
    const inv = netbootInventory({
      nodes: [
        { hostname: 'a', role: 'worker', serial: '000000aa', netboot: {} },
        { hostname: 'b', role: 'worker', serial: '000000bb', netboot: { image: 'v9' } },
      ],
    });
    const report = await renderNetboot(inv, config, { exec, now });
    expect(report.skipped).toEqual([
      { name: 'b', reason: expect.stringContaining('image v9 is not imported') },
    ]);
    expect(await readdir(layout.tftpRoot)).toEqual(['.keep', '000000aa']);
  });

  it('runs the NFS reload hook only when the exports changed', async () => {
    const { layout } = await setup();
    const marker = join(work, 'reloads');
    const config = netbootConfig(layout.dir, {
      reload: { nfs: ['sh', '-c', `echo reload >> ${marker}`] },
    });
    expect((await renderNetboot(netbootInventory(), config, { exec, now })).reloads).toHaveLength(1);
    expect((await renderNetboot(netbootInventory(), config, { exec, now })).reloads).toEqual([]);
    expect(await readFile(marker, 'utf8')).toBe('reload\n');
  });
});

describe('spare roots and leftovers', () => {
  it('keeps one spare per image in use; a reset takes it (a rename) and a new one is copied after', async () => {
    const { config, layout } = await setup();
    const report = await renderNetboot(netbootInventory(), config, { exec, now });
    expect(report.sparesMade).toEqual(['v1']);
    const spares = () => readdir(join(layout.roots, '.spares'));
    const [spare] = await spares();
    expect(spare).toMatch(/^v1--[0-9a-f]{8}$/);
    expect(await readFile(join(layout.roots, '.spares', spare as string, 'etc/hostname'), 'utf8')).toBe(
      'localhost\n',
    );
    expect((await renderNetboot(netbootInventory(), config, { exec, now })).sparesMade).toEqual([]);
    const reset = createNetbootReset({ config, inventory: async () => netbootInventory(), exec, now });
    const result = await reset.resetRoot('pi-cp-1');
    expect(result.fromSpare).toBe(true);
    expect(result.swappedSeconds).toBeLessThan(result.seconds + 1);
    expect(await readFile(join(layout.root('pi-cp-1'), 'etc/hostname'), 'utf8')).toBe('pi-cp-1\n');
    await result.background;
    const after = await spares();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(spare);
  });

  it('makes no spares when spareRoots is false, and drops spares of images no longer used', async () => {
    const { config, layout } = await setup(['v1', 'v2']);
    await renderNetboot(netbootInventory(), config, { exec, now });
    const moved = netbootInventory({
      defaultImage: 'v2',
      nodes: [{ hostname: 'a', role: 'worker', serial: '000000aa', netboot: {} }],
    });
    expect((await renderNetboot(moved, config, { exec, now })).sparesMade).toEqual(['v2']);
    expect((await readdir(join(layout.roots, '.spares'))).map((n) => n.split('--')[0])).toEqual(['v2']);
    const off = netbootConfig(join(work, 'srv2'), { spareRoots: false });
    await importImage(await makeImageVersion(join(work, 'out3'), 'v1'), netbootLayout(off.dir), { exec });
    expect((await renderNetboot(netbootInventory(), off, { exec, now })).sparesMade).toEqual([]);
    await expect(readdir(join(off.dir, 'roots/.spares'))).rejects.toThrow();
  });

  it('sweeps replaced roots left behind, but not a reset younger than an hour', async () => {
    const { config, layout } = await setup();
    await renderNetboot(netbootInventory(), config, { exec, now });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(join(layout.roots, '.pi-w-1.old-0123abcd/etc'), { recursive: true });
    await mkdir(join(layout.roots, '.pi-w-1.new-0123abcd/etc'), { recursive: true });
    await renderNetboot(netbootInventory(), config, { exec, now: () => new Date() });
    const left = (await readdir(layout.roots)).filter((n) => n.startsWith('.pi-w-1'));
    expect(left).toEqual(['.pi-w-1.new-0123abcd']);
    await renderNetboot(netbootInventory(), config, {
      exec,
      now: () => new Date(Date.now() + 2 * 3_600_000),
    });
    expect((await readdir(layout.roots)).filter((n) => n.startsWith('.pi-w-1'))).toEqual([]);
  });
});

describe('NetbootReset', () => {
  it('resets a root to a pristine copy, and --image moves root and kernel to another version', async () => {
    const { config, layout } = await setup(['v1', 'v2']);
    const inventory = netbootInventory();
    await renderNetboot(inventory, config, { exec, now });
    const root = layout.root('pi-w-1');
    // The node ran: it wrote state and changed files.
    await writeFile(join(root, 'var/lib/osbuild/credentials.json'), '{"node":"secret"}');
    await writeFile(join(root, 'etc/os-release'), 'scribbled');
    const reset = createNetbootReset({ config, inventory: async () => inventory, exec, now });
    expect(await reset.isNetbootNode('pi-w-1')).toBe(true);
    expect(await reset.isNetbootNode('pi-nvme')).toBe(false);
    const result = await reset.resetRoot('pi-w-1');
    expect(result).toMatchObject({ name: 'pi-w-1', image: 'v1', replaced: true, fromSpare: true });
    await result.background;
    expect(await readdir(join(root, 'var/lib/osbuild'))).toEqual([]);
    expect(await readFile(join(root, 'etc/os-release'), 'utf8')).toContain('v1');
    expect((await readdir(layout.roots)).filter((n) => n.startsWith('.pi-w-1'))).toEqual([]);

    const moved = await reset.resetRoot('pi-w-1', { image: 'v2' });
    expect(moved.fromSpare).toBe(false); // no spare of v2: nodes.yaml uses only v1
    await moved.background;
    expect(await readFile(join(root, 'etc/os-release'), 'utf8')).toContain('v2');
    expect(await readFile(join(layout.tftpRoot, 'c0ffee01/kernel_2712.img'), 'utf8')).toContain('for v2');
    expect(await readFile(join(layout.tftpRoot, 'aabbccdd/kernel_2712.img'), 'utf8')).toContain('for v1');
    const again = await renderNetboot(inventory, config, { exec, now });
    expect(again.nodes.find((n) => n.name === 'pi-w-1')).toMatchObject({ image: 'v2', root: 'stale-image' });
  });

  it('refuses an unknown node and an image that is not imported, leaving the root as it was', async () => {
    const { config, layout } = await setup();
    const inventory = netbootInventory();
    await renderNetboot(inventory, config, { exec, now });
    const reset = createNetbootReset({ config, inventory: async () => inventory, exec, now });
    await expect(reset.resetRoot('pi-nvme')).rejects.toThrow(/not a netboot node/);
    await expect(reset.resetRoot('pi-w-1', { image: 'v7' })).rejects.toThrow(/image v7 is not imported/);
    expect(await readFile(join(layout.root('pi-w-1'), 'etc/hostname'), 'utf8')).toBe('pi-w-1\n');
  });

  it('netbootResetFromFiles reads nodes.yaml per call and refuses a broken one clearly', async () => {
    const { config } = await setup();
    await renderNetboot(netbootInventory(), config, { exec, now });
    const configFile = join(work, 'netboot.yaml');
    const inventoryFile = join(work, 'nodes.yaml');
    await writeFile(configFile, JSON.stringify(config)); // JSON is YAML
    await writeFile(
      inventoryFile,
      'defaults: { netboot: { image: v1 } }\nnodes:\n  - { hostname: pi-w-1, role: worker, serial: "c0ffee01", netboot: {} }\n',
    );
    const reset = await netbootResetFromFiles({ configFile, inventoryFile, exec, now });
    const result = await reset.resetRoot('pi-w-1');
    await result.background;
    expect(result.replaced).toBe(true);
    await writeFile(inventoryFile, 'nodes: [ {');
    await expect(reset.resetRoot('pi-w-1')).rejects.toThrow(/nodes\.yaml: .*/);
    await expect(
      netbootResetFromFiles({ configFile: join(work, 'missing.yaml'), inventoryFile, exec, now }),
    ).rejects.toThrow(/cannot read netboot config/);
  });
});
