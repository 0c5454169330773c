import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { dirInputs, type KeyInput, layerKey, parsePackageList } from './layer-key.js';
import { IMAGE_BUILD_DIR, type LayerSpec, type Profile } from './profiles.js';
import type { Run } from './run.js';

/** dpkg path filters of every image: no docs (copyright kept), man pages, locales, info. */
export const DPKG_EXCLUDES = [
  'path-exclude=/usr/share/man/*',
  'path-exclude=/usr/share/doc/*',
  'path-include=/usr/share/doc/*/copyright',
  'path-exclude=/usr/share/locale/*',
  'path-include=/usr/share/locale/locale.alias',
  'path-exclude=/usr/share/info/*',
  'path-exclude=/usr/share/lintian/*',
];

/** Unpacks the previous layer, runs a layer's apply.sh in it and packs the result. */
const APPLY_LAYER = path.join(IMAGE_BUILD_DIR, 'lib', 'apply-layer.sh');

/** What the agent layer installs; the rest of its inputs come from the profile. */
export interface AgentInputs {
  binary: string;
  unit: string;
  imageJson: string;
}

/** A built (or cached) layer. */
export interface BuiltLayer {
  name: string;
  key: string;
  tar: string;
  cached: boolean;
  seconds: number;
  /** `osbuild-agent --version` as run inside the image (agent layer only). */
  agentVersionLine?: string;
}

export interface LayerContext {
  profile: Profile;
  cacheDir: string;
  workDir: string;
  sourceDateEpoch: number;
  agent: AgentInputs;
  run: Run;
  progress: (line: string) => void;
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function packagesOf(profile: Profile, layer: LayerSpec): Promise<string[]> {
  if (!layer.packages) return [];
  const file = path.join(IMAGE_BUILD_DIR, 'profiles', profile.name, layer.packages);
  return parsePackageList(await readFile(file, 'utf8'));
}

/**
 * The inputs that decide a layer's content: its folder, its package list, the profile settings
 * it reads, and its parent's key (a changed base rebuilds everything above it). The epoch is not
 * an input: the rootfs tarball gets its timestamps at assembly (assemble.ts).
 */
export async function layerInputs(
  ctx: LayerContext,
  layer: LayerSpec,
  parentKey: string,
): Promise<KeyInput[]> {
  const { profile } = ctx;
  const inputs: KeyInput[] = [
    { name: 'parent', data: parentKey },
    { name: 'packages', data: (await packagesOf(profile, layer)).join('\n') },
    ...(await dirInputs(path.join(IMAGE_BUILD_DIR, layer.dir), 'layer')),
  ];
  if (layer.name === 'base') {
    inputs.push(
      { name: 'base/suite', data: profile.suite },
      { name: 'base/sources', data: profile.sources.join('\n') },
      { name: 'base/initramfs', data: JSON.stringify(profile.initramfs) },
      { name: 'base/disk-id', data: profile.diskId },
      { name: 'base/dpkg', data: DPKG_EXCLUDES.join('\n') },
    );
    for (const k of profile.keyrings) inputs.push({ name: `base/keyring/${k}`, data: await readFile(k) });
  } else {
    // Every layer above the base is applied by lib/apply-layer.sh (which also cleans up for
    // reproducibility), so it is an input of each of them.
    inputs.push({ name: 'lib/apply-layer.sh', data: await readFile(APPLY_LAYER) });
  }
  if (layer.name === 'kubernetes' && profile.kubernetesRepo) {
    inputs.push(
      { name: 'k8s/repo', data: profile.kubernetesRepo.url },
      { name: 'k8s/keyring', data: await readFile(profile.kubernetesRepo.keyring) },
    );
  } else if (layer.name === 'agent') {
    inputs.push(
      { name: 'agent/binary-sha256', data: await sha256File(ctx.agent.binary) },
      { name: 'agent/unit', data: await readFile(ctx.agent.unit) },
      { name: 'agent/image.json', data: ctx.agent.imageJson },
    );
  }
  return inputs;
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Keep one cached tarball per profile and layer: the one just built or used. */
async function pruneOthers(dir: string, prefix: string, keep: string): Promise<void> {
  for (const f of await readdir(dir)) {
    if (f.startsWith(prefix) && f !== path.basename(keep) && f !== `${path.basename(keep)}.json`) {
      await rm(path.join(dir, f), { force: true });
    }
  }
}

async function buildBase(ctx: LayerContext, layer: LayerSpec, out: string): Promise<void> {
  const { profile } = ctx;
  const dir = path.join(IMAGE_BUILD_DIR, layer.dir);
  const packages = await packagesOf(profile, layer);
  // In its own mount namespace: mmdebstrap --mode=root mounts proc, sys and dev into the tree, and
  // a build killed half-way would otherwise leave those mounts behind on the host.
  await ctx.run(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'mmdebstrap',
      '--mode=root',
      '--variant=apt',
      '--arch=arm64',
      '--format=tar',
      '--aptopt=Acquire::Retries "3"',
      ...DPKG_EXCLUDES.map((o) => `--dpkgopt=${o}`),
      ...profile.keyrings.map((k) => `--keyring=${k}`),
      `--include=${packages.join(',')}`,
      `--setup-hook=${path.join(dir, 'setup.sh')}`,
      `--essential-hook=${path.join(dir, 'essential.sh')}`,
      `--customize-hook=${path.join(dir, 'customize.sh')}`,
      profile.suite,
      out,
      ...profile.sources,
    ],
    {
      env: {
        SOURCE_DATE_EPOCH: String(ctx.sourceDateEpoch),
        TMPDIR: ctx.workDir,
        OSBUILD_INITRAMFS_POLICY: profile.initramfs.policy,
        OSBUILD_INITRAMFS_MODULES: profile.initramfs.modules.join(' '),
        OSBUILD_DISK_ID: profile.diskId,
      },
    },
  );
}

async function applyLayer(
  ctx: LayerContext,
  layer: LayerSpec,
  prev: string,
  out: string,
): Promise<string | undefined> {
  const { profile } = ctx;
  const env: Record<string, string> = {
    SOURCE_DATE_EPOCH: String(ctx.sourceDateEpoch),
    OSBUILD_WORK_DIR: ctx.workDir,
    OSBUILD_LAYER_PACKAGES: (await packagesOf(profile, layer)).join(' '),
  };
  if (profile.kubernetesRepo) {
    env.OSBUILD_K8S_REPO = profile.kubernetesRepo.url;
    env.OSBUILD_K8S_KEYRING = profile.kubernetesRepo.keyring;
  }
  let versionOut: string | undefined;
  if (layer.name === 'agent') {
    const imageJson = path.join(ctx.workDir, 'image.json');
    await writeFile(imageJson, ctx.agent.imageJson);
    versionOut = path.join(ctx.workDir, 'agent-version.txt');
    Object.assign(env, {
      OSBUILD_AGENT_BINARY: ctx.agent.binary,
      OSBUILD_AGENT_UNIT: ctx.agent.unit,
      OSBUILD_IMAGE_JSON: imageJson,
      OSBUILD_AGENT_VERSION_OUT: versionOut,
    });
  }
  const script = path.join(IMAGE_BUILD_DIR, layer.dir, 'apply.sh');
  await ctx.run(APPLY_LAYER, [prev, out, script], { env });
  return versionOut ? (await readFile(versionOut, 'utf8')).trim() : undefined;
}

/** Build the profile's layers in order, reusing each one whose key is already in the cache. */
export async function buildLayers(ctx: LayerContext): Promise<BuiltLayer[]> {
  const layerDir = path.join(ctx.cacheDir, 'layers');
  await mkdir(layerDir, { recursive: true });
  const built: BuiltLayer[] = [];
  let parentKey = '';
  let prevTar = '';
  const total = ctx.profile.layers.length;
  for (const [i, layer] of ctx.profile.layers.entries()) {
    const key = layerKey(await layerInputs(ctx, layer, parentKey));
    const prefix = `${ctx.profile.name}-${layer.name}-`;
    const tar = path.join(layerDir, `${prefix}${key.slice(0, 16)}.tar`);
    const meta = `${tar}.json`;
    const started = performance.now();
    const label = `[${i + 1}/${total + 1}] layer ${layer.name}`;
    let cached = await exists(tar);
    let agentVersionLine: string | undefined;
    if (cached) {
      agentVersionLine = (
        JSON.parse(await readFile(meta, 'utf8').catch(() => '{}')) as { agentVersionLine?: string }
      ).agentVersionLine;
      if (layer.name === 'agent' && !agentVersionLine) cached = false;
    }
    if (!cached) {
      ctx.progress(`${label} (key ${key.slice(0, 12)}) building ...`);
      if (layer.name === 'base') await buildBase(ctx, layer, tar);
      else agentVersionLine = await applyLayer(ctx, layer, prevTar, tar);
      await writeFile(meta, JSON.stringify({ key, agentVersionLine }));
    }
    const seconds = (performance.now() - started) / 1000;
    ctx.progress(
      `${label} (key ${key.slice(0, 12)}) ${cached ? 'cached' : `built in ${seconds.toFixed(1)} s`}`,
    );
    await pruneOthers(layerDir, prefix, tar);
    built.push({
      name: layer.name,
      key,
      tar,
      cached,
      seconds,
      ...(agentVersionLine ? { agentVersionLine } : {}),
    });
    parentKey = key;
    prevTar = tar;
  }
  return built;
}
