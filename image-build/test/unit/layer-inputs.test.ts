// What decides each layer's cache key: a change to anything that shapes a layer's content must
// rebuild it (and the layers above), and nothing else may.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LayerContext, layerInputs } from '../../src/layers.js';
import { profiles } from '../../src/profiles.js';

let dir: string;
let ctx: LayerContext;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'layer-inputs-'));
  const binary = path.join(dir, 'osbuild-agent');
  const unit = path.join(dir, 'osbuild-agent.service');
  await writeFile(binary, 'agent v1');
  await writeFile(unit, '[Service]\n');
  ctx = {
    profile: profiles(dir).qemu,
    cacheDir: dir,
    workDir: dir,
    sourceDateEpoch: 1,
    agent: { binary, unit, imageJson: '{}' },
    run: async () => '',
    progress: () => {},
  };
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const names = async (layer: string) => {
  const spec = ctx.profile.layers.find((l) => l.name === layer);
  if (!spec) throw new Error(`no layer ${layer}`);
  return (await layerInputs(ctx, spec, 'parent-key')).map((i) => i.name);
};

describe('layer inputs', () => {
  it('base: its folder (setup, essential and customize hooks), packages, suite, sources, initramfs, disk id, dpkg filters', async () => {
    const base = await names('base');
    expect(base).toEqual(
      expect.arrayContaining([
        'parent',
        'packages',
        'layer/setup.sh',
        'layer/essential.sh',
        'layer/customize.sh',
        'layer/files/osbuild-grow-root.sh',
        'base/suite',
        'base/sources',
        'base/initramfs',
        'base/disk-id',
        'base/dpkg',
      ]),
    );
    // mmdebstrap builds the base; lib/apply-layer.sh plays no part in it.
    expect(base).not.toContain('lib/apply-layer.sh');
  });

  it('layers above the base include lib/apply-layer.sh, which unpacks, runs and cleans them', async () => {
    expect(await names('kubernetes')).toEqual(
      expect.arrayContaining(['parent', 'packages', 'layer/apply.sh', 'lib/apply-layer.sh']),
    );
    expect(await names('agent')).toEqual(
      expect.arrayContaining(['lib/apply-layer.sh', 'agent/binary-sha256', 'agent/unit', 'agent/image.json']),
    );
  });

  it('the agent layer follows the executable by content', async () => {
    const spec = ctx.profile.layers.find((l) => l.name === 'agent');
    if (!spec) throw new Error('no agent layer');
    const sha = async () =>
      (await layerInputs(ctx, spec, 'p')).find((i) => i.name === 'agent/binary-sha256')?.data;
    const before = await sha();
    await writeFile(ctx.agent.binary, 'agent v2');
    expect(await sha()).not.toBe(before);
  });
});
