// `osbuild netboot import out/<version>/`: verify an image version and unpack it once under
// <dir>/images/<version>/, read-only from then on. Every node root is copied from there.
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { UserError } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { verifyImageDir } from './image-verify.js';
import type { NetbootLayout } from './layout.js';

/** Result of an import. */
export interface ImportResult {
  version: string;
  path: string;
  /** False when the same version (same manifest bytes) was already there. */
  imported: boolean;
  bootFiles: number;
  seconds: number;
}

/** Progress lines for long work (hashing, unpacking). */
export type Progress = (message: string) => void;

/** Import `srcDir` into `layout`; refuses a tampered folder or a different image under the same version. */
export async function importImage(
  srcDir: string,
  layout: NetbootLayout,
  deps: { exec: Exec; progress?: Progress },
): Promise<ImportResult> {
  const started = Date.now();
  const progress = deps.progress ?? (() => {});
  progress(`verifying ${srcDir} against manifest.json and SHA256SUMS`);
  const { manifest, bootFiles } = await verifyImageDir(srcDir, { withRootfs: true });
  const target = layout.image(manifest.version);
  const srcManifest = await readFile(join(srcDir, 'manifest.json'), 'utf8');
  const existing = await readFile(join(target, 'manifest.json'), 'utf8').catch(() => undefined);
  if (existing !== undefined) {
    if (existing !== srcManifest)
      throw new UserError(
        'image',
        `image ${manifest.version} is already imported from a different build (manifest.json differs); versions are immutable, build a new version`,
      );
    return {
      version: manifest.version,
      path: target,
      imported: false,
      bootFiles: bootFiles.length,
      seconds: 0,
    };
  }
  await mkdir(layout.images, { recursive: true });
  const tmp = join(layout.images, `.${manifest.version}.importing-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(join(tmp, 'rootfs'), { recursive: true });
    // Copy first, then verify the copy: what we unpack is exactly what we hashed.
    await copyFile(join(srcDir, 'manifest.json'), join(tmp, 'manifest.json'));
    await copyFile(join(srcDir, 'SHA256SUMS'), join(tmp, 'SHA256SUMS'));
    for (const b of bootFiles) {
      await mkdir(dirname(join(tmp, b.path)), { recursive: true });
      await copyFile(join(srcDir, b.path), join(tmp, b.path));
    }
    await copyFile(join(srcDir, 'rootfs.tar.gz'), join(tmp, 'rootfs.tar.gz'));
    progress('verifying the copied files');
    await verifyImageDir(tmp, { withRootfs: true });
    progress(`unpacking rootfs.tar.gz into ${target}/rootfs`);
    // --numeric-owner: the server's /etc/passwd must not remap the image's owners.
    await deps.exec(
      'tar',
      ['-xzpf', join(tmp, 'rootfs.tar.gz'), '--numeric-owner', '-C', join(tmp, 'rootfs')],
      {
        timeoutMs: 30 * 60_000,
      },
    );
    await rm(join(tmp, 'rootfs.tar.gz'));
    // Read-only: boot files 0444 (served straight from here) and the version folder 0555, so
    // nothing adds or swaps a file by accident. The rootfs keeps its own modes: roots copy them.
    for (const b of bootFiles) await chmod(join(tmp, b.path), 0o444);
    await chmod(join(tmp, 'manifest.json'), 0o444);
    await chmod(join(tmp, 'SHA256SUMS'), 0o444);
    await rename(tmp, target);
    await chmod(target, 0o555);
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
  return {
    version: manifest.version,
    path: target,
    imported: true,
    bootFiles: bootFiles.length,
    seconds: (Date.now() - started) / 1000,
  };
}

/** True when `version` has been imported (its manifest is in place). */
export async function isImported(layout: NetbootLayout, version: string): Promise<boolean> {
  return (await stat(join(layout.image(version), 'manifest.json')).catch(() => undefined)) !== undefined;
}
