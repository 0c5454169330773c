// `netboot import`: a real image folder (real tar, real hashes) is verified and unpacked once,
// read-only; every way of altering the folder is refused with a message that says what is wrong.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { verifyImageDir } from '../../src/netboot/image-verify.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { makeImageVersion } from '../support/netboot-image.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-netboot-import-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('netboot import', () => {
  it('unpacks rootfs and boot files once, read-only, and a second import is a no-op', async () => {
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    const layout = netbootLayout(join(work, 'srv'));
    const first = await importImage(src, layout, { exec });
    expect(first).toMatchObject({ version: 'v1', imported: true, bootFiles: 5 });
    const image = layout.image('v1');
    expect(await readFile(join(image, 'rootfs/etc/os-release'), 'utf8')).toContain('v1');
    expect(await readFile(join(image, 'boot/kernel_2712.img'), 'utf8')).toContain('fake Pi 5 kernel');
    expect((await stat(image)).mode & 0o777).toBe(0o555);
    expect((await stat(join(image, 'boot/kernel_2712.img'))).mode & 0o777).toBe(0o444);
    expect((await stat(join(image, 'rootfs/tmp'))).mode & 0o7777).toBe(0o1777);
    await expect(stat(join(image, 'rootfs.tar.gz'))).rejects.toThrow();
    expect((await importImage(src, layout, { exec })).imported).toBe(false);
    // The imported copy still verifies (boot files against the manifest).
    await expect(verifyImageDir(image, { withRootfs: false })).resolves.toBeDefined();
  });

  it('refuses a boot file changed after the build', async () => {
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    await appendFile(join(src, 'boot/kernel_2712.img'), 'evil');
    await expect(importImage(src, netbootLayout(join(work, 'srv')), { exec })).rejects.toThrow(
      /boot\/kernel_2712\.img does not match manifest\.json .*refusing a tampered image/,
    );
  });

  it('refuses a file added to boot/', async () => {
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    await writeFile(join(src, 'boot/initramfs_2712'), 'x');
    await expect(importImage(src, netbootLayout(join(work, 'srv')), { exec })).rejects.toThrow(
      /boot\/initramfs_2712 is not in manifest\.json/,
    );
  });

  it('refuses a rootfs.tar.gz that is not the one in the manifest', async () => {
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    await appendFile(join(src, 'rootfs.tar.gz'), Buffer.from([0]));
    await expect(importImage(src, netbootLayout(join(work, 'srv')), { exec })).rejects.toThrow(
      /rootfs\.tar\.gz does not match manifest\.json/,
    );
  });

  it('refuses SHA256SUMS that disagrees with the manifest', async () => {
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    const sums = await readFile(join(src, 'SHA256SUMS'), 'utf8');
    await writeFile(join(src, 'SHA256SUMS'), sums.replace(/^[0-9a-f]{64}/, '0'.repeat(64)));
    await expect(importImage(src, netbootLayout(join(work, 'srv')), { exec })).rejects.toThrow(
      /SHA256SUMS says 0{64} but manifest\.json says/,
    );
  });

  it('refuses a missing or invalid manifest, and a missing SHA256SUMS', async () => {
    const layout = netbootLayout(join(work, 'srv'));
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    await rm(join(src, 'SHA256SUMS'));
    await expect(importImage(src, layout, { exec })).rejects.toThrow(/SHA256SUMS: missing/);
    await writeFile(join(src, 'manifest.json'), '{"schema":1}');
    await expect(importImage(src, layout, { exec })).rejects.toThrow(/manifest\.json: version: /);
    await rm(join(src, 'manifest.json'));
    await expect(importImage(src, layout, { exec })).rejects.toThrow(/cannot read the image manifest/);
  });

  it('refuses a different build under a version that is already imported, and leaves no partial folder', async () => {
    const layout = netbootLayout(join(work, 'srv'));
    await importImage(await makeImageVersion(join(work, 'out'), 'v1'), layout, { exec });
    const other = await makeImageVersion(join(work, 'out2'), 'v1');
    const manifest = JSON.parse(await readFile(join(other, 'manifest.json'), 'utf8'));
    manifest.suite = 'trixie';
    await writeFile(join(other, 'manifest.json'), JSON.stringify(manifest));
    await expect(importImage(other, layout, { exec })).rejects.toThrow(
      /already imported from a different build/,
    );
    const bad = await makeImageVersion(join(work, 'out3'), 'v2');
    await writeFile(join(bad, 'rootfs.tar.gz'), 'not gzip');
    await expect(importImage(bad, layout, { exec })).rejects.toThrow();
    const { readdir } = await import('node:fs/promises');
    expect((await readdir(layout.images)).sort()).toEqual(['v1']);
  });
});
