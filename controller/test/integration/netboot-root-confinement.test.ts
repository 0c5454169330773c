// A node root is made from an image on the server: a symlink in the image must never make the
// server write, delete or read its own files (they would land in, or vanish from, the node's NFS
// export). Real tar, real import, real roots in a temp dir.
import { lstat, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { resetRoot } from '../../src/netboot/roots.js';
import { makeImageVersion } from '../support/netboot-image.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-netboot-confine-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const deps = { exec, now: () => new Date('2026-11-26T00:00:00Z'), server: '10.0.10.2' };

async function rootFrom(symlinks: Record<string, string>) {
  const layout = netbootLayout(join(work, 'srv'));
  await importImage(await makeImageVersion(join(work, 'out'), 'v1', {}, symlinks), layout, { exec });
  const node = { name: 'pi-w-1', image: 'v1', rootPath: layout.root('pi-w-1') };
  return { layout, node };
}

describe('netboot roots stay inside the root (real image import)', () => {
  it('replaces symlinked etc/hostname and etc/fstab instead of writing or reading through them', async () => {
    const server = join(work, 'server-etc');
    await mkdir(server);
    await writeFile(join(server, 'shadow'), 'root:SERVER-SECRET:19000::::::\n');
    await writeFile(join(server, 'fstab'), 'UUID=server-only /srv/private ext4 defaults 0 2\n');
    const { node } = await rootFrom({
      'etc/hostname': join(server, 'shadow'),
      'etc/fstab': join(server, 'fstab'),
    });
    await resetRoot(netbootLayout(join(work, 'srv')), node, deps);

    expect(await readFile(join(server, 'shadow'), 'utf8')).toBe('root:SERVER-SECRET:19000::::::\n');
    expect(await readFile(join(server, 'fstab'), 'utf8')).toContain('server-only');
    expect((await lstat(join(node.rootPath, 'etc/hostname'))).isSymbolicLink()).toBe(false);
    expect(await readFile(join(node.rootPath, 'etc/hostname'), 'utf8')).toBe('pi-w-1\n');
    const fstab = await readFile(join(node.rootPath, 'etc/fstab'), 'utf8');
    expect(fstab).not.toContain('server-only');
    expect(fstab).toContain(`10.0.10.2:${node.rootPath} / nfs4`);
  });

  it('refuses an image whose var/lib leads out of the root, and deletes nothing there', async () => {
    const serverLib = join(work, 'server-var-lib');
    await mkdir(join(serverLib, 'osbuild'), { recursive: true });
    await writeFile(join(serverLib, 'osbuild', 'keep'), 'the server’s own state\n');
    const { layout, node } = await rootFrom({ 'var/lib': serverLib });
    await expect(resetRoot(layout, node, deps)).rejects.toThrow(/var\/lib.* leads outside the node root/);
    expect(await readFile(join(serverLib, 'osbuild', 'keep'), 'utf8')).toBe('the server’s own state\n');
  });
});
