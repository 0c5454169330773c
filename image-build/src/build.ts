import { constants, createWriteStream } from 'node:fs';
import { access, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { arch } from 'node:os';
import path from 'node:path';
import { type ImageManifest, imageManifestSchema } from '@osbuild/shared';
import { execa } from 'execa';
import { assemble } from './assemble.js';
import { type BuiltLayer, buildLayers } from './layers.js';
import { writeManifest } from './manifest.js';
import { type BuildOptions, UsageError } from './options.js';
import { type Profile, profileByName } from './profiles.js';
import { makeRun } from './run.js';

const TOOLS = [
  'mmdebstrap',
  'mkfs.vfat',
  'mcopy',
  'mkfs.ext4',
  'sfdisk',
  'zstd',
  'dpkg-query',
  'unshare',
  'chroot',
];

async function readable(file: string): Promise<boolean> {
  return access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
}

/** Everything the build needs before it starts, each failure with the command that fixes it. */
export async function checkPrerequisites(opts: BuildOptions, profile: Profile): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new UsageError('run as root (mmdebstrap --mode=root, chroot, device nodes)');
  const missing: string[] = [];
  for (const tool of TOOLS) {
    const found = await execa('sh', ['-c', `command -v ${tool}`], { reject: false });
    if (found.exitCode !== 0) missing.push(tool);
  }
  if (missing.length > 0) {
    throw new UsageError(
      `missing tools: ${missing.join(', ')} (Debian: apt-get install mmdebstrap arch-test qemu-user-static ` +
        'binfmt-support dosfstools mtools e2fsprogs fdisk zstd)',
    );
  }
  if (arch() !== 'arm64' && !(await readable('/proc/sys/fs/binfmt_misc/qemu-aarch64'))) {
    throw new UsageError(
      'arm64 binaries cannot run here: mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc; ' +
        'update-binfmts --enable qemu-aarch64 (package qemu-user-static)',
    );
  }
  if (!(await readable(opts.agentBinary))) {
    throw new UsageError(`agent executable ${opts.agentBinary} missing: run npm run build:agent`);
  }
  for (const k of [
    ...profile.keyrings,
    ...(profile.kubernetesRepo ? [profile.kubernetesRepo.keyring] : []),
  ]) {
    if (!(await readable(k)))
      throw new UsageError(`profile ${profile.name} needs the keyring ${k} (--keyring-dir)`);
  }
}

async function git(repoRoot: string, args: string[]): Promise<string | undefined> {
  const res = await execa('git', args, { cwd: repoRoot, reject: false });
  return res.exitCode === 0 ? res.stdout.trim() : undefined;
}

/** Version and epoch defaults from the checkout: `<package version>-g<commit>`, the commit time. */
async function defaults(opts: BuildOptions, repoRoot: string): Promise<{ version: string; epoch: number }> {
  const pkg = JSON.parse(await readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const commit = await git(repoRoot, ['rev-parse', '--short', 'HEAD']);
  const version = opts.version ?? `${pkg.version}-g${commit ?? 'unknown'}`;
  const commitTime = await git(repoRoot, ['log', '-1', '--format=%ct']);
  const epoch = opts.sourceDateEpoch ?? (commitTime ? Number(commitTime) : 0);
  return { version, epoch };
}

/**
 * The version folder as a previous build left it, when it was assembled from exactly these layers
 * with this epoch and every artefact is still there with its recorded size; undefined otherwise.
 */
async function reusableOutput(
  outDir: string,
  layers: BuiltLayer[],
  profile: string,
  epoch: number,
): Promise<ImageManifest | undefined> {
  try {
    const m = imageManifestSchema.parse(
      JSON.parse(await readFile(path.join(outDir, 'manifest.json'), 'utf8')),
    );
    const same =
      m.profile === profile &&
      m.builtAt === new Date(epoch * 1000).toISOString() &&
      JSON.stringify(m.layers) === JSON.stringify(layers.map((l) => ({ name: l.name, key: l.key })));
    if (!same) return undefined;
    for (const a of m.artefacts)
      if ((await stat(path.join(outDir, a.path))).size !== a.size) return undefined;
    return m;
  } catch {
    return undefined;
  }
}

/** The whole build: layers, assembly, manifest. Progress lines go to `progress`. */
export async function buildImage(
  opts: BuildOptions,
  repoRoot: string,
  progress: (line: string) => void,
): Promise<{ manifest: ImageManifest; outDir: string }> {
  const profile = profileByName(opts.profile, opts.keyringDir);
  await checkPrerequisites(opts, profile);
  const { version, epoch } = await defaults(opts, repoRoot);
  const outDir = path.join(opts.outRoot, version);
  const workDir = path.join(opts.cacheDir, 'work');
  await rm(workDir, { recursive: true, force: true });
  await mkdir(workDir, { recursive: true });
  // The full output of every tool, as it comes: `tail -f image-build/.cache/build.log`.
  const logStream = createWriteStream(path.join(opts.cacheDir, 'build.log'));
  const run = makeRun((text) => logStream.write(text));
  const started = performance.now();
  progress(`image ${version} profile ${profile.name} (SOURCE_DATE_EPOCH=${epoch}) -> ${outDir}`);
  try {
    const imageJson = `${JSON.stringify({ version, profile: profile.name, suite: profile.suite }, null, 2)}\n`;
    const layers = await buildLayers({
      profile,
      cacheDir: opts.cacheDir,
      workDir,
      sourceDateEpoch: epoch,
      agent: {
        binary: opts.agentBinary,
        unit: path.join(repoRoot, 'agent/systemd/osbuild-agent.service'),
        imageJson,
      },
      run,
      progress,
    });
    const t0 = performance.now();
    const label = `[${layers.length + 1}/${layers.length + 1}] assemble`;
    const previous = await reusableOutput(outDir, layers, profile.name, epoch);
    if (previous) {
      progress(`${label} cached (${outDir} was assembled from the same layers and epoch)`);
      return { manifest: previous, outDir };
    }
    await rm(outDir, { recursive: true, force: true });
    await mkdir(outDir, { recursive: true });
    progress(`${label} ...`);
    const assembled = await assemble({
      profile,
      finalLayerTar: layers.at(-1)!.tar,
      outDir,
      workDir,
      sourceDateEpoch: epoch,
      run,
      progress,
    });
    const manifest = await writeManifest({
      version,
      profile,
      sourceDateEpoch: epoch,
      layers,
      packages: assembled.packages,
      artefacts: assembled.artefacts,
      outDir,
    });
    progress(`${label} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    progress(`image ${version} done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return { manifest, outDir };
  } finally {
    await new Promise((resolve) => logStream.end(resolve));
    await rm(workDir, { recursive: true, force: true });
  }
}
