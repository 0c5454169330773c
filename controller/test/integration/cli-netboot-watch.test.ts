// `osbuild netboot render --watch`: renders at start and again when nodes.yaml changes; a broken
// edit is reported and the last good generation keeps being served.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { waitFor } from '../support/e2e.js';
import { makeImageVersion } from '../support/netboot-image.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-netboot-watch-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const node = (name: string, serial: string) =>
  `  - { hostname: ${name}, role: worker, serial: "${serial}", netboot: {} }`;

it('re-renders when the inventory changes and survives a broken edit', async () => {
  const srv = join(work, 'srv');
  await writeFile(
    join(work, 'netboot.yaml'),
    `server: 10.0.10.2\nnetwork: 10.0.10.0\ninterface: eth0\ndir: ${srv}\nagent: { controller: "mqtt://10.0.10.2:1883" }\n`,
  );
  const inventoryFile = join(work, 'nodes.yaml');
  await writeFile(
    inventoryFile,
    `defaults: { netboot: { image: v1 } }\nnodes:\n${node('pi-a', '000000aa')}\n`,
  );
  const layout = netbootLayout(srv);
  await importImage(await makeImageVersion(join(work, 'out'), 'v1'), layout, { exec });
  let stdout = '';
  let stderr = '';
  let stop: (s: string) => void = () => {};
  const done = main(
    ['node', 'osbuild', 'netboot', 'render', '--watch', '--inventory', inventoryFile, '-o', 'json'],
    {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: work,
      waitForShutdown: () => new Promise<string>((r) => (stop = r)),
    },
  );
  await waitFor(
    'first render',
    async () => (await readdir(layout.tftpRoot).catch((): string[] => [])).includes('000000aa'),
    10_000,
  );
  await writeFile(
    inventoryFile,
    `defaults: { netboot: { image: v1 } }\nnodes:\n${node('pi-a', '000000aa')}\n${node('pi-b', '000000bb')}\n`,
  );
  await waitFor(
    'render after the edit',
    async () => (await readdir(layout.tftpRoot).catch((): string[] => [])).includes('000000bb'),
    10_000,
  );
  await writeFile(inventoryFile, 'nodes: [ {');
  await waitFor('the broken edit reported', async () => stderr.includes('osbuild netboot render:'), 10_000);
  expect((await readdir(layout.tftpRoot)).sort()).toEqual(['.keep', '000000aa', '000000bb']);
  stop('SIGTERM');
  expect(await done).toBe(0);
  expect(stdout.match(/"generation"/g)?.length).toBeGreaterThanOrEqual(2);
});
