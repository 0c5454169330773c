// A controller whose private files would be reachable by nodes refuses to start: the data dir (or
// any key, credential, database, kubeconfig) inside the served bootstrap or netboot tree, or a
// served file that resolves outside the bootstrap dir or into the data dir.
import { existsSync } from 'node:fs';
import { mkdir, readdir, symlink, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { privatePaths } from '../../src/server/private-paths.js';
import { startController } from '../../src/server/start-controller.js';
import { runBin } from '../support/cli-harness.js';
import { makeWorkspace, startTestController, useCleanups } from '../support/e2e.js';

const cleanups = useCleanups();

const INVENTORY = 'nodes: []\n';

/** startController's options for a workspace, with `dataDir` and extras swapped in. */
function options(ws: Awaited<ReturnType<typeof makeWorkspace>>, extra: Record<string, unknown> = {}) {
  return {
    inventoryPath: ws.inventoryPath,
    dataDir: ws.dataDir,
    bootstrapDir: ws.bootstrapDir,
    listen: 'mqtts://127.0.0.1:0',
    httpListen: 'http://127.0.0.1:0',
    logger: pino({ level: 'silent' }),
    ...extra,
  };
}

async function expectRefused(opts: ReturnType<typeof options>, pattern: RegExp): Promise<void> {
  const started = await startController(opts).then(
    (handle) => {
      cleanups.push(() => handle.stop());
      return 'started';
    },
    (err: Error & { code?: string }) => err,
  );
  expect(started).toBeInstanceOf(Error);
  expect((started as { code?: string }).code).toBe('private-file-served');
  expect((started as Error).message).toMatch(pattern);
}

describe('start-up refusal: private files in a served tree (real controller, real files)', () => {
  it('`osbuild serve --bootstrap-dir B --data-dir B/state` exits 4 naming both paths and creates nothing', async () => {
    const ws = await makeWorkspace(INVENTORY);
    const state = join(ws.bootstrapDir, 'state');
    const run = await runBin([
      'serve',
      '--inventory',
      ws.inventoryPath,
      '--bootstrap-dir',
      ws.bootstrapDir,
      '--data-dir',
      state,
      '--listen',
      'mqtts://127.0.0.1:0',
      '--http-listen',
      'http://127.0.0.1:0',
    ]);
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(`the data directory ${state} is inside the bootstrap directory`);
    expect(run.stderr).toContain(ws.bootstrapDir);
    expect(existsSync(state)).toBe(false);
  });

  it('refuses a data dir that reaches the bootstrap dir through a symlink', async () => {
    const ws = await makeWorkspace(INVENTORY);
    await mkdir(join(ws.bootstrapDir, 'state'));
    const link = join(ws.dir, 'state-link');
    await symlink(join(ws.bootstrapDir, 'state'), link);
    await expectRefused(
      options(ws, { dataDir: link }),
      new RegExp(`the data directory ${link} \\(.*/bootstrap/state\\) is inside the bootstrap directory`),
    );
  });

  it('refuses a data dir whose tls/ is a symlink into the bootstrap dir', async () => {
    const ws = await makeWorkspace(INVENTORY);
    await mkdir(ws.dataDir);
    await mkdir(join(ws.bootstrapDir, 'tls'));
    await symlink(join(ws.bootstrapDir, 'tls'), join(ws.dataDir, 'tls'));
    await expectRefused(options(ws), /the TLS directory .*\/data\/tls .* is inside the bootstrap directory/);
  });

  it('refuses a kubeconfig to adopt that lies in the bootstrap dir', async () => {
    const ws = await makeWorkspace(INVENTORY);
    const file = join(ws.bootstrapDir, 'admin.conf');
    await writeFile(file, 'apiVersion: v1\nkind: Config\n');
    await expectRefused(
      options(ws, { adoptKubeconfig: 'apiVersion: v1\nkind: Config\n', adoptKubeconfigFile: file }),
      /the kubeconfig to adopt .*admin\.conf is inside the bootstrap directory/,
    );
  });

  it('refuses a data dir inside the netboot directory (TFTP and NFS)', async () => {
    const ws = await makeWorkspace(INVENTORY);
    const netbootDir = join(ws.dir, 'netboot');
    const config = join(ws.dir, 'netboot.yaml');
    await writeFile(
      config,
      `server: 10.0.10.2\nnetwork: 10.0.10.0\ninterface: eth0\ndir: ${netbootDir}\nagent:\n  controller: mqtt://10.0.10.2:1883\n`,
    );
    await expectRefused(
      options(ws, { dataDir: join(netbootDir, 'roots', 'w-01', 'state'), netbootConfigPath: config }),
      /the data directory .* is inside the netboot directory \(served over TFTP and NFS\)/,
    );
  });

  it('refuses a served symlink that points at a private file or outside the bootstrap dir', async () => {
    const first = await makeWorkspace(INVENTORY);
    await (await startTestController(first)).stop(); // the data dir now holds its secrets
    await mkdir(join(first.bootstrapDir, 'scripts'));
    await symlink(join(first.dataDir, 'claim.secret'), join(first.bootstrapDir, 'scripts', 'claim.sh'));
    await expectRefused(
      options(first),
      /in the bootstrap directory .* scripts\/claim\.sh resolves to .*\/data\/claim\.secret, a private file/,
    );

    const second = await makeWorkspace(INVENTORY);
    await writeFile(join(second.dir, 'outside.txt'), 'not for nodes\n');
    await mkdir(join(second.bootstrapDir, 'scripts'));
    await symlink('../../outside.txt', join(second.bootstrapDir, 'scripts', 'notes.sh'));
    await expectRefused(
      options(second),
      /scripts\/notes\.sh resolves to .*outside\.txt, outside the bootstrap directory/,
    );
  });

  it('lists every file a real controller writes into its data dir as private', async () => {
    const ws = await makeWorkspace(INVENTORY);
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const listed = privatePaths(ws.dataDir).filter((p) => p.path !== ws.dataDir);
    const files: string[] = [];
    for (const e of await readdir(ws.dataDir, { recursive: true, withFileTypes: true })) {
      const path = join(e.parentPath, e.name);
      // The served repository is public by design; the HTTP listener serves only its git files.
      if (e.isFile() && !relative(ws.dataDir, path).startsWith('bootstrap.git')) files.push(path);
    }
    expect(files.length).toBeGreaterThanOrEqual(7); // db, audit log, keys, certs, secrets, info
    const uncovered = files.filter(
      (f) => !listed.some((p) => f === p.path || f.startsWith(`${p.path}/`) || f.startsWith(`${p.path}-`)),
    );
    expect(uncovered).toEqual([]);
  });
});
