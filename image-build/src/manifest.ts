import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type ImageManifest, imageManifestSchema } from '@osbuild/shared';
import type { InstalledPackage } from './assemble.js';
import type { BuiltLayer } from './layers.js';
import type { Profile } from './profiles.js';

async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** `osbuild-agent 0.1.0 (commit abc1234, node v24.21.0)` -> its three parts. */
export function parseAgentVersionLine(line: string): ImageManifest['agent'] {
  const m = /^osbuild-agent (\S+) \(commit ([^,]+), node (v[0-9.]+)\)$/.exec(line.trim());
  if (!m) throw new Error(`unexpected osbuild-agent --version output: ${JSON.stringify(line)}`);
  return { version: m[1]!, commit: m[2]!, node: m[3]! };
}

/** The kernel package actually installed (linux-image-<version>-<flavour>), not the meta package. */
export function kernelOf(packages: readonly InstalledPackage[]): ImageManifest['kernel'] {
  const k = packages.find((p) => /^linux-image-\d/.test(p.name));
  return k ? { package: k.name, version: k.version } : undefined;
}

export interface ManifestInput {
  version: string;
  profile: Profile;
  sourceDateEpoch: number;
  layers: BuiltLayer[];
  packages: InstalledPackage[];
  artefacts: string[];
  outDir: string;
}

/** Hash every artefact, write manifest.json and SHA256SUMS; the manifest is checked against its schema. */
export async function writeManifest(input: ManifestInput): Promise<ImageManifest> {
  const agentLine = input.layers.find((l) => l.agentVersionLine)?.agentVersionLine;
  if (!agentLine) throw new Error('the agent layer did not report the agent version');
  const artefacts = [];
  for (const rel of input.artefacts) {
    const file = path.join(input.outDir, rel);
    artefacts.push({ path: rel, sha256: await sha256File(file), size: (await stat(file)).size });
  }
  const kernel = kernelOf(input.packages);
  const manifest = imageManifestSchema.parse({
    schema: 1,
    version: input.version,
    profile: input.profile.name,
    arch: 'arm64',
    builtAt: new Date(input.sourceDateEpoch * 1000).toISOString(),
    suite: input.profile.suite,
    agent: parseAgentVersionLine(agentLine),
    ...(kernel ? { kernel } : {}),
    packages: input.packages,
    layers: input.layers.map((l) => ({ name: l.name, key: l.key })),
    artefacts,
  } satisfies ImageManifest);
  await writeFile(path.join(input.outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const sums = artefacts.map((a) => `${a.sha256}  ${a.path}\n`).join('');
  await writeFile(path.join(input.outDir, 'SHA256SUMS'), sums);
  return manifest;
}
