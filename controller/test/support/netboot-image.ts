// A small but complete image version folder as image-build writes it (out/<version>/): a tiny
// rootfs.tar.gz laid out like a Debian root, a boot/ folder with the Pi 5 file names, and a
// manifest.json + SHA256SUMS that validate. Real tar, real hashes; only the contents are small.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type ImageManifest, imageManifestSchema } from '@osbuild/shared';

const run = promisify(execFile);

/** Boot files of the synthetic image (paths under boot/) and their contents. */
export function syntheticBootFiles(version: string): Record<string, string> {
  return {
    'kernel_2712.img': `fake Pi 5 kernel for ${version}\n${'k'.repeat(4096)}\n`,
    'config.txt': '[all]\narm_64bit=1\nkernel=kernel_2712.img\n',
    'bcm2712-rpi-5-b.dtb': `fake dtb ${version}\n`,
    'bcm2712d0-rpi-5-b.dtb': `fake d0 dtb ${version}\n`,
    'overlays/README': 'overlays\n',
  };
}

/**
 * Write `out/<version>/` under `outDir` (plus `extraFiles` in the rootfs, and `symlinks`: path ->
 * target, each replacing whatever the files put there); returns the version folder.
 */
export async function makeImageVersion(
  outDir: string,
  version: string,
  extraFiles: Record<string, string> = {},
  symlinks: Record<string, string> = {},
): Promise<string> {
  const dir = join(outDir, version);
  await mkdir(join(dir, 'boot'), { recursive: true });
  const staging = await mkdtemp(join(tmpdir(), 'osbuild-rootfs-'));
  try {
    const files: Record<string, string> = {
      'etc/hostname': 'localhost\n',
      'etc/machine-id': '0123456789abcdef0123456789abcdef\n',
      'etc/fstab': 'LABEL=rootfs / ext4 defaults 0 1\nLABEL=bootfs /boot/firmware vfat defaults 0 2\n',
      'etc/os-release': `PRETTY_NAME="osbuild test image ${version}"\n`,
      'var/lib/osbuild/credentials.json': '{"stale":"from the build"}\n',
      'usr/bin/osbuild-agent': '#!/bin/sh\necho agent\n',
      'usr/share/doc/osbuild/version': `${version}\n`,
      ...extraFiles,
    };
    for (const [path, data] of Object.entries(files)) {
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await writeFile(join(staging, path), data);
    }
    for (const [path, target] of Object.entries(symlinks)) {
      await rm(join(staging, path), { recursive: true, force: true });
      await mkdir(dirname(join(staging, path)), { recursive: true });
      await symlink(target, join(staging, path));
    }
    await mkdir(join(staging, 'tmp'), { recursive: true, mode: 0o1777 });
    await run('chmod', ['1777', join(staging, 'tmp')]);
    await run('tar', [
      '-czf',
      join(dir, 'rootfs.tar.gz'),
      '--numeric-owner',
      '--owner=0',
      '--group=0',
      '-C',
      staging,
      '.',
    ]);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  for (const [path, data] of Object.entries(syntheticBootFiles(version))) {
    await mkdir(dirname(join(dir, 'boot', path)), { recursive: true });
    await writeFile(join(dir, 'boot', path), data);
  }
  const paths = ['rootfs.tar.gz', ...Object.keys(syntheticBootFiles(version)).map((p) => `boot/${p}`)].sort();
  const artefacts = [];
  for (const path of paths) {
    const data = await readFile(join(dir, path));
    artefacts.push({
      path,
      sha256: createHash('sha256').update(data).digest('hex'),
      size: (await stat(join(dir, path))).size,
    });
  }
  const manifest: ImageManifest = imageManifestSchema.parse({
    schema: 1,
    version,
    profile: 'rpi5',
    arch: 'arm64',
    builtAt: '2026-11-25T00:00:00Z',
    suite: 'bookworm',
    agent: { version: '0.1.0', commit: 'test', node: '20.20.0' },
    packages: [{ name: 'base-files', version: '12.4', arch: 'arm64' }],
    layers: [{ name: 'base', key: 'a'.repeat(64) }],
    artefacts,
  });
  await writeFile(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await writeFile(join(dir, 'SHA256SUMS'), artefacts.map((a) => `${a.sha256}  ${a.path}\n`).join(''));
  return dir;
}
