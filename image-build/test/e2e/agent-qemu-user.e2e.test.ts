// The arm64 agent executable (built on x64 by `npm run build:agent`) run under qemu-user against a
// real controller on the host: the fast check that the cross-built binary enrols and runs a whole
// plan, without building or booting an image. The agent works on a copied fixture host root, so
// its host actions are recorded rather than applied (fixture mode, agent/src/host/host-system.ts).
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  controllerSecrets,
  FIXTURE_INVENTORY,
  kill9,
  makeWorkspace,
  operator,
  startTestController,
  useCleanups,
  waitFor,
} from '../../../controller/test/support/e2e.js';
import { E2E_PACKAGES, ensureDebianPackages } from './support/host-prerequisites.js';
import { ARM64_AGENT, ensureArm64Agent } from './support/qemu-image.js';

const cleanups = useCleanups();

beforeAll(async () => {
  await ensureDebianPackages(
    E2E_PACKAGES.filter((p) => p.includes('qemu-user') || p.includes('arm64-cross')),
  );
  await ensureArm64Agent((line) => process.stdout.write(`e2e: ${line}\n`));
}, 10 * 60_000);

describe('arm64 agent under qemu-user', () => {
  it('enrols with a host controller over TLS and is provisioned (stand-in host: fixture root)', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    cleanups.push(() => rm(ws.dir, { recursive: true, force: true }));
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const secrets = await controllerSecrets(ws.dataDir);
    const root = await copyHostFixture('pi5-a');
    cleanups.push(() => rm(root, { recursive: true, force: true }));

    const t0 = Date.now();
    const child = spawn(
      'qemu-aarch64-static',
      [
        '-L',
        '/usr/aarch64-linux-gnu',
        ARM64_AGENT,
        'run',
        '--controller',
        controller.mqttUrl,
        '--ca-file',
        secrets.caFile,
        '--claim-file',
        secrets.claimFile,
        '--host-root',
        root,
        '--log-level',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    cleanups.push(() => kill9(child));

    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());
    const node = await waitFor(
      'cp-01 provisioned by the arm64 agent',
      async () => {
        if (child.exitCode !== null) throw new Error(`agent exited ${child.exitCode}: ${output}`);
        const n = await rpc.call('nodes.show', { name: 'cp-01' });
        return n.phase === 'provisioned' ? n : undefined;
      },
      120_000,
    );
    process.stdout.write(
      `e2e: qemu-user agent start-to-provisioned ${((Date.now() - t0) / 1000).toFixed(1)} s\n`,
    );
    expect(node.online).toBe(true);
    expect(node.run?.steps.every((s) => s.state === 'succeeded')).toBe(true);
    expect(node.run?.steps.map((s) => s.kind)).toEqual([
      'set-hostname',
      'configure-network',
      'run-script',
      'mark-provisioned',
    ]);
    // The steps really ran in the arm64 process: files in the host root, actions in the log.
    expect(await readFile(`${root}/etc/hostname`, 'utf8')).toBe('cp-01\n');
    expect(await readFile(`${root}/etc/osbuild/bootstrapped`, 'utf8')).toBe('control-plane\n');
    const actions = await readFile(`${root}/var/log/osbuild/host-actions.log`, 'utf8');
    expect(actions).toContain('"action":"apply-hostname","hostname":"cp-01"');
  });
});
