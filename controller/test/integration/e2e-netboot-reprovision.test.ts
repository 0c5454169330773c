// Reprovision a netboot node end to end: a real controller (TLS), the real agent executable whose
// host root IS the node's NFS root from `netboot render` and whose configuration comes only from
// the rendered cmdline.txt (as /proc/cmdline); then the operator's reprovision window, the root
// reset through the exported NetbootReset seam, a reboot, and the node provisions again from a
// pristine root. Stand-ins: the Pi's firmware and kernel (copying the fixture board's /proc and
// /sys and the TFTP cmdline.txt into the root) and the reboot itself (the agent is killed and
// started again); the commands helper owns the real reboot command.
import { cp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fingerprintOf } from '@osbuild/shared';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { createNetbootReset } from '../../src/netboot/netboot-reset.js';
import { renderNetboot } from '../../src/netboot/render-tree.js';
import {
  AGENT_BIN,
  ask,
  controllerSecrets,
  FIXTURE_INVENTORY,
  kill9,
  makeWorkspace,
  spawnNode,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { netbootConfig } from '../support/netboot-fixture.js';
import { makeImageVersion } from '../support/netboot-image.js';

const cleanups = useCleanups();
// w-01 (fixture board pi5-b, serial 10000000000000a2) boots from the network.
const INVENTORY = FIXTURE_INVENTORY.replace(
  '  stepRetries: 1\n',
  '  stepRetries: 1\n  netboot: { image: v1 }\n',
).replace(
  '    hostname: w-01\n    role: worker\n    ip: 10.0.10.11\n',
  '    hostname: w-01\n    role: worker\n    ip: 10.0.10.11\n    netboot: {}\n',
);

describe('netboot reprovision end to end', () => {
  it('root reset through NetbootReset, reboot, and the node provisions again from a pristine root', async () => {
    expect(INVENTORY).toContain('netboot: {}');
    const ws = await makeWorkspace(INVENTORY);
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const secrets = await controllerSecrets(ws.dataDir);
    const config = netbootConfig(join(ws.dir, 'srv'), {
      agent: {
        controller: controller.mqttUrl,
        caFingerprint: fingerprintOf(secrets.ca as string),
        claimFile: '/etc/osbuild/claim',
      },
    });
    const layout = netbootLayout(config.dir);
    const { loadInventory } = await import('@osbuild/shared');
    const inventory = async () => {
      const r = await loadInventory(ws.inventoryPath);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      return r.inventory;
    };
    // The image carries the claim secret, as image-build bakes it in.
    const src = await makeImageVersion(join(ws.dir, 'out'), 'v1', {
      'etc/osbuild/claim': `${secrets.claimSecret}\n`,
    });
    await importImage(src, layout, { exec });
    const report = await renderNetboot(await inventory(), config, { exec, now: () => new Date() });
    expect(report.nodes).toEqual([
      expect.objectContaining({ name: 'w-01', tftpFolder: '000000a2', root: 'created' }),
    ]);
    const root = layout.root('w-01');

    let agent: ReturnType<typeof spawnNode> | undefined;
    // Stand-in for the Pi's firmware and kernel: the kernel's view (/proc, /sys) of board pi5-b
    // over the NFS root, with the command line the bootloader fetched over TFTP.
    const boot = async () => {
      for (const dir of ['proc', 'sys', 'run'])
        await cp(join(HOST_FIXTURES, 'pi5-b', dir), join(root, dir), { recursive: true });
      const cmdline = await readFile(join(layout.tftpRoot, '000000a2', 'cmdline.txt'), 'utf8');
      await writeFile(join(root, 'proc/cmdline'), cmdline);
      const mounts = await readFile(join(root, 'proc/mounts'), 'utf8');
      await writeFile(
        join(root, 'proc/mounts'),
        `10.0.10.2:${root} / nfs4 rw,vers=4.1 0 0\n${mounts
          .split('\n')
          .filter((l) => !/^\S+ \/ /.test(l))
          .join('\n')}`,
      );
      agent = spawnNode([AGENT_BIN, 'run', '--host-root', root, '--log-level', 'warn']);
      const running = agent;
      cleanups.push(() => kill9(running.child));
    };
    const phaseOf = async () =>
      (await ask(controller, (rpc) => rpc.call('nodes.list', {}))).find((n) => n.name === 'w-01');

    await boot();
    await waitFor(
      'w-01 provisioned from its NFS root',
      async () => (await phaseOf())?.phase === 'provisioned',
      30_000,
    );
    expect(await readFile(join(root, 'etc/osbuild/bootstrapped'), 'utf8')).toBe('worker\n');
    // The agent saw root=/dev/nfs and the nfs4 root mount: the controller knows it netbooted.
    expect((await ask(controller, (rpc) => rpc.call('nodes.show', { name: 'w-01' }))).bootSource).toBe(
      'netboot',
    );
    const stateBefore = await readdir(join(root, 'var/lib/osbuild'));
    expect(stateBefore.length).toBeGreaterThan(0);

    // Reprovision: the operator opens the window, netboot resets the root, the node reboots.
    await ask(controller, (rpc) => rpc.call('nodes.reprovision', { name: 'w-01', windowSec: 120 }));
    const reset = createNetbootReset({ config, inventory, exec, now: () => new Date() });
    const result = await reset.resetRoot('w-01');
    expect(result).toMatchObject({ name: 'w-01', image: 'v1', replaced: true, fromSpare: true });
    await expect(stat(join(root, 'etc/osbuild/bootstrapped'))).rejects.toThrow();
    expect(await readdir(join(root, 'var/lib/osbuild'))).toEqual([]);
    await kill9((agent as NonNullable<typeof agent>).child); // stand-in for the reboot
    await boot();
    await waitFor(
      'w-01 provisioned again from a pristine root',
      async () => {
        const n = await phaseOf();
        return (
          n?.phase === 'provisioned' &&
          n.online &&
          (await stat(join(root, 'etc/osbuild/bootstrapped')).catch(() => undefined))
        );
      },
      45_000,
    );
    expect(await readFile(join(root, 'etc/osbuild/setup-runs'), 'utf8')).toBe('run\n');
    const nodes = await ask(controller, (rpc) => rpc.call('nodes.list', {}));
    expect(nodes.filter((n) => n.name.startsWith('w-01'))).toHaveLength(1);
  }, 120_000);
});
