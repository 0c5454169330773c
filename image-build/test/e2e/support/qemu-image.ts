// The qemu profile image for the end-to-end tests: the arm64 agent from agent/dist (built when
// missing), then `npm run image` with the layer cache in image-build/.cache.
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type ImageManifest, imageManifestSchema } from '@osbuild/shared';
import { execa } from 'execa';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../../..');
export const ARM64_AGENT = path.join(REPO_ROOT, 'agent/dist/osbuild-agent-linux-arm64');
/** Where the tests' image goes: beside the layer cache, apart from image-build/out. */
export const E2E_OUT = path.join(REPO_ROOT, 'image-build/.cache/e2e-out');
export const E2E_VERSION = 'e2e';
/**
 * A fixed epoch rather than the commit time: the assembly (not the layers) depends on it, so a
 * new commit that changes nothing in the image reuses the assembled folder too.
 */
export const E2E_EPOCH = '1795659725';

/** `npm run build:agent -- --arch arm64` unless the executable exists. */
export async function ensureArm64Agent(log: (line: string) => void): Promise<void> {
  const have = await access(ARM64_AGENT).then(
    () => true,
    () => false,
  );
  if (have) return;
  log('building the arm64 agent executable');
  await execa('npm', ['run', 'build:agent', '--', '--arch', 'arm64'], { cwd: REPO_ROOT, stdio: 'inherit' });
}

/** Build (or rebuild from cached layers) the qemu image; returns its folder and manifest. */
export async function buildQemuImage(): Promise<{ dir: string; manifest: ImageManifest; seconds: number }> {
  const t0 = performance.now();
  await execa(
    'npm',
    [
      'run',
      '--silent',
      'image',
      '--',
      '--profile',
      'qemu',
      '--version',
      E2E_VERSION,
      '--source-date-epoch',
      E2E_EPOCH,
      '--out',
      E2E_OUT,
    ],
    { cwd: REPO_ROOT, stdout: 'inherit', stderr: 'inherit' },
  );
  const dir = path.join(E2E_OUT, E2E_VERSION);
  const manifest = imageManifestSchema.parse(
    JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')),
  );
  return { dir, manifest, seconds: (performance.now() - t0) / 1000 };
}
