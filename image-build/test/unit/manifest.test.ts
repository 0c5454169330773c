import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { imageManifestSchema } from '@osbuild/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { kernelOf, parseAgentVersionLine, writeManifest } from '../../src/manifest.js';
import { profiles } from '../../src/profiles.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const PACKAGES = [
  { name: 'linux-image-6.1.0-41-arm64', version: '6.1.158-1', arch: 'arm64' },
  { name: 'linux-image-arm64', version: '6.1.158-1', arch: 'arm64' },
  { name: 'systemd', version: '252.39-1~deb12u1', arch: 'arm64' },
];

describe('manifest', () => {
  it('parses the agent --version line', () => {
    expect(parseAgentVersionLine('osbuild-agent 0.1.0 (commit cfbb027, node v24.21.0)\n')).toEqual({
      version: '0.1.0',
      commit: 'cfbb027',
      node: 'v24.21.0',
    });
    expect(() => parseAgentVersionLine('Segmentation fault')).toThrow(
      /unexpected osbuild-agent --version output/,
    );
  });

  it('names the installed kernel package, not the meta package', () => {
    expect(kernelOf(PACKAGES)).toEqual({ package: 'linux-image-6.1.0-41-arm64', version: '6.1.158-1' });
    expect(kernelOf([])).toBeUndefined();
  });

  it('writes a manifest that validates against imageManifestSchema and a SHA256SUMS that matches', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'manifest-'));
    dirs.push(out);
    await mkdir(path.join(out, 'boot'));
    await writeFile(path.join(out, 'rootfs.tar.gz'), 'tree');
    await writeFile(path.join(out, 'boot', 'vmlinuz'), 'kernel');
    const manifest = await writeManifest({
      version: '0.1.0-gabc1234',
      profile: profiles('/k').qemu,
      sourceDateEpoch: 1_700_000_000,
      layers: [
        { name: 'base', key: 'a'.repeat(64), tar: '/x', cached: true, seconds: 0 },
        {
          name: 'agent',
          key: 'b'.repeat(64),
          tar: '/y',
          cached: false,
          seconds: 1,
          agentVersionLine: 'osbuild-agent 0.1.0 (commit abc1234, node v24.21.0)',
        },
      ],
      packages: PACKAGES,
      artefacts: ['rootfs.tar.gz', 'boot/vmlinuz'],
      outDir: out,
    });
    const onDisk = imageManifestSchema.parse(
      JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')),
    );
    expect(onDisk).toEqual(manifest);
    expect(onDisk.builtAt).toBe('2023-11-14T22:13:20.000Z');
    expect(onDisk.kernel?.package).toBe('linux-image-6.1.0-41-arm64');
    expect(onDisk.layers).toEqual([
      { name: 'base', key: 'a'.repeat(64) },
      { name: 'agent', key: 'b'.repeat(64) },
    ]);
    const sha = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(await readFile(path.join(out, 'SHA256SUMS'), 'utf8')).toBe(
      `${sha('tree')}  rootfs.tar.gz\n${sha('kernel')}  boot/vmlinuz\n`,
    );
    expect(onDisk.artefacts[1]).toEqual({ path: 'boot/vmlinuz', sha256: sha('kernel'), size: 6 });
  });

  it('refuses to write a manifest without the agent version', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'manifest-'));
    dirs.push(out);
    await expect(
      writeManifest({
        version: 'v',
        profile: profiles('/k').qemu,
        sourceDateEpoch: 0,
        layers: [],
        packages: [],
        artefacts: [],
        outDir: out,
      }),
    ).rejects.toThrow('the agent layer did not report the agent version');
  });
});
