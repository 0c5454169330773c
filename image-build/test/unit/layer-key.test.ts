import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dirInputs, layerKey, parsePackageList } from '../../src/layer-key.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('layer cache key', () => {
  it('is the same for the same inputs in any order', () => {
    const a = layerKey([
      { name: 'x', data: '1' },
      { name: 'y', data: '2' },
    ]);
    const b = layerKey([
      { name: 'y', data: '2' },
      { name: 'x', data: '1' },
    ]);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(a).toBe(b);
  });

  it('changes when a value changes, and cannot be fooled by moving bytes between inputs', () => {
    const base = layerKey([
      { name: 'a', data: 'bc' },
      { name: 'd', data: '' },
    ]);
    expect(
      layerKey([
        { name: 'a', data: 'bd' },
        { name: 'd', data: '' },
      ]),
    ).not.toBe(base);
    expect(
      layerKey([
        { name: 'a', data: 'b' },
        { name: 'd', data: 'c' },
      ]),
    ).not.toBe(base);
  });

  it('reads every file of a layer folder, so editing any script changes the key', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'layer-key-'));
    dirs.push(dir);
    await mkdir(path.join(dir, 'files'));
    await writeFile(path.join(dir, 'apply.sh'), 'echo one\n');
    await writeFile(path.join(dir, 'files', 'x.conf'), 'x=1\n');
    const inputs = await dirInputs(dir, 'layer');
    expect(inputs.map((i) => i.name).sort()).toEqual(['layer/apply.sh', 'layer/files/x.conf']);
    const before = layerKey(inputs);
    await writeFile(path.join(dir, 'files', 'x.conf'), 'x=2\n');
    expect(layerKey(await dirInputs(dir, 'layer'))).not.toBe(before);
  });

  it('package lists drop comments and blank lines', () => {
    expect(parsePackageList('# head\nsystemd\n\n  git  # for bootstrap\n#x\n')).toEqual(['systemd', 'git']);
  });
});
