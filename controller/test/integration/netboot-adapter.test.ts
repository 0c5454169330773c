// `osbuild serve --netboot-config FILE` hands the reprovision command a NetbootReset backed by the
// real netboot roots: files on disk (netboot.yaml, nodes.yaml), a real imported image, a real
// rendered root that the seam replaces with a pristine copy.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { netbootAdapter } from '../../src/netboot/netboot-adapter.js';
import { renderNetboot } from '../../src/netboot/render-tree.js';
import { netbootConfig, netbootInventory } from '../support/netboot-fixture.js';
import { makeImageVersion } from '../support/netboot-image.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('netbootAdapter (the reprovision seam from netboot.yaml)', () => {
  it('resets the node root named in nodes.yaml to a fresh copy of its image', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osbuild-netboot-seam-'));
    dirs.push(dir);
    const config = netbootConfig(join(dir, 'srv'));
    const inventory = netbootInventory();
    const configFile = join(dir, 'netboot.yaml');
    const inventoryFile = join(dir, 'nodes.yaml');
    await writeFile(configFile, YAML.stringify(config));
    await writeFile(inventoryFile, YAML.stringify(inventory));
    const layout = netbootLayout(config.dir);
    await importImage(await makeImageVersion(join(dir, 'out'), 'v1'), layout, { exec });
    await renderNetboot(inventory, config, { exec, now: () => new Date() });
    const root = layout.root('pi-w-1');
    await writeFile(join(root, 'etc/left-behind'), 'state of the old life\n');

    const errors: unknown[] = [];
    const seam = await netbootAdapter({
      configFile,
      inventoryFile,
      exec,
      now: () => new Date(),
      onBackgroundError: (err) => errors.push(err),
    });
    expect(await seam.resetRoot('pi-w-1', { nodeId: 'n-1', force: false })).toEqual({ image: 'v1' });
    await expect(stat(join(root, 'etc/left-behind'))).rejects.toThrow();
    expect(await readFile(join(root, 'etc/hostname'), 'utf8')).toContain('pi-w-1');
    expect(await readdir(join(root, 'var/lib/osbuild'))).toEqual([]);
    await expect(seam.resetRoot('pi-nvme', { nodeId: 'n-3', force: false })).rejects.toThrow(
      /not a netboot node/,
    );
    expect(errors).toEqual([]);
  });

  it('fails at start with the file name when netboot.yaml is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'osbuild-netboot-seam-'));
    dirs.push(dir);
    await expect(
      netbootAdapter({
        configFile: join(dir, 'absent.yaml'),
        inventoryFile: join(dir, 'nodes.yaml'),
        exec,
        now: () => new Date(),
        onBackgroundError: () => undefined,
      }),
    ).rejects.toThrow(/absent\.yaml/);
  });
});
