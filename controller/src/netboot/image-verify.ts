// Checks that an image version folder is exactly what its build wrote: manifest.json parses,
// SHA256SUMS and the manifest agree, and every file we use hashes to its recorded sum.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { type ImageManifest, imageManifestSchema, UserError } from '@osbuild/shared';

/** SHA-256 of a file, streamed (rootfs.tar.gz is hundreds of MB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Parse `sha256sum` output (`<hex>  <path>` or `<hex> *<path>`); refuses anything else. */
export function parseSha256Sums(text: string, file: string): Map<string, string> {
  const sums = new Map<string, string>();
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (!m) throw new UserError('image', `${file}:${i + 1}: not a sha256sum line: ${JSON.stringify(line)}`);
    sums.set(m[2] as string, m[1] as string);
  });
  return sums;
}

/** Read and validate `<dir>/manifest.json`. */
export async function readManifest(dir: string): Promise<ImageManifest> {
  const file = join(dir, 'manifest.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError('image', `${file}: cannot read the image manifest: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new UserError('image', `${file}: not valid JSON`);
  }
  const parsed = imageManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError('image', `${file}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message}`);
  }
  return parsed.data;
}

/** Files under `dir/sub`, relative to `dir` with `/` separators, sorted. */
export async function listFiles(dir: string, sub: string): Promise<string[]> {
  const out: string[] = [];
  const entries = await readdir(join(dir, sub), { recursive: true, withFileTypes: true });
  for (const e of entries) {
    if (e.isFile()) out.push(relative(dir, join(e.parentPath, e.name)).split(sep).join('/'));
  }
  return out.sort();
}

/** What a verified image folder holds. */
export interface VerifiedImage {
  manifest: ImageManifest;
  /** Boot files (paths under `boot/`) with their sha256. */
  bootFiles: { path: string; sha256: string }[];
}

/**
 * Verify `dir` (an `out/<version>/` folder or an imported copy) against its manifest and
 * SHA256SUMS. Hashes rootfs.tar.gz only when `withRootfs` (an imported copy no longer has it).
 * Refuses: missing or disagreeing sums, a file whose hash or size differs, and files in boot/ the
 * manifest does not list (someone added a kernel or an overlay by hand).
 */
export async function verifyImageDir(dir: string, opts: { withRootfs: boolean }): Promise<VerifiedImage> {
  const manifest = await readManifest(dir);
  const sumsFile = join(dir, 'SHA256SUMS');
  let sumsText: string;
  try {
    sumsText = await readFile(sumsFile, 'utf8');
  } catch {
    throw new UserError(
      'image',
      `${sumsFile}: missing; an image folder carries SHA256SUMS beside manifest.json`,
    );
  }
  const sums = parseSha256Sums(sumsText, sumsFile);
  const listed = new Map(manifest.artefacts.map((a) => [a.path, a]));
  for (const a of manifest.artefacts) {
    const sum = sums.get(a.path);
    if (sum !== a.sha256)
      throw new UserError(
        'image',
        `${dir}: ${a.path}: SHA256SUMS says ${sum ?? 'nothing'} but manifest.json says ${a.sha256}; the folder was altered`,
      );
  }
  for (const path of sums.keys()) {
    if (!listed.has(path))
      throw new UserError(
        'image',
        `${dir}: ${path} is in SHA256SUMS but not in manifest.json; the folder was altered`,
      );
  }
  const wanted = manifest.artefacts.filter(
    (a) => a.path.startsWith('boot/') || (opts.withRootfs && a.path === 'rootfs.tar.gz'),
  );
  if (opts.withRootfs && !listed.has('rootfs.tar.gz'))
    throw new UserError('image', `${dir}: manifest.json lists no rootfs.tar.gz; netboot needs it`);
  const onDisk = await listFiles(dir, 'boot').catch(() => {
    throw new UserError('image', `${dir}: no boot/ folder; netboot serves the kernel from it`);
  });
  for (const path of onDisk) {
    if (!listed.has(path))
      throw new UserError(
        'image',
        `${dir}: ${path} is not in manifest.json; refusing an altered boot folder`,
      );
  }
  for (const a of wanted) {
    const file = join(dir, a.path);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile())
      throw new UserError('image', `${dir}: ${a.path} is listed in manifest.json but missing`);
    const actual = await sha256File(file);
    if (actual !== a.sha256 || info.size !== a.size)
      throw new UserError(
        'image',
        `${dir}: ${a.path} does not match manifest.json (sha256 ${actual}, size ${info.size}; expected ${a.sha256}, ${a.size}); refusing a tampered image`,
      );
  }
  const bootFiles = manifest.artefacts
    .filter((a) => a.path.startsWith('boot/'))
    .map((a) => ({ path: a.path, sha256: a.sha256 }));
  if (!bootFiles.some((b) => b.path === 'boot/config.txt'))
    throw new UserError('image', `${dir}: boot/config.txt is not in the image; a Pi 5 needs it`);
  return { manifest, bootFiles };
}
