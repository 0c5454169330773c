// `osbuild reprovision w-01` on a joined, Ready netboot node, end to end through the command: the
// controller started as `serve --netboot-config` starts it (real netboot.yaml, real imported image,
// real rendered roots), Kubernetes on, the real agent executable whose host root IS the node's NFS
// root. Stand-ins: the kube-apiserver (HTTPS) and kubeadm/kubectl (test/fixtures/bin), and the Pi's
// firmware and kernel: "booting" copies board pi5-b's /proc and /sys into the root with the TFTP
// cmdline.txt and a fresh boot id, then starts the agent; when the agent asks for a reboot (its
// fixture host system logs it), the board is killed and booted again from whatever root is served.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, cp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fingerprintOf } from '@osbuild/shared';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import { makeKubeReady } from '@osbuild/test-support/kube-host';
import { STANDIN_BIN, startKubeStandins } from '@osbuild/test-support/kube-standins';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { renderNetboot } from '../../src/netboot/render-tree.js';
import { runCli } from '../support/cli-harness.js';
import { outcomes } from '../support/commands.js';
import {
  AGENT_BIN,
  ask,
  controllerSecrets,
  freePort,
  kill9,
  makeWorkspace,
  phases,
  RECORDING_SETUP,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { kubeInventory, startKubeAgent } from '../support/kube-cluster.js';
import { netbootConfig } from '../support/netboot-fixture.js';
import { makeImageVersion } from '../support/netboot-image.js';

const cleanups = useCleanups();
const FLANNEL = fileURLToPath(new URL('../../../bootstrap/manifests/flannel.yaml', import.meta.url));

describe('osbuild reprovision of a Ready netboot node (stand-ins: kube-apiserver, kubeadm, Pi firmware, PoE port)', () => {
  it('drains, resets the root, removes the Node, reboots; the node comes back new and joins again; dead, through its power hook', async () => {
    const standins = await startKubeStandins();
    cleanups.push(() => standins.close());
    standins.api.autoReadyMs = 100;
    // w-01 (board pi5-b, serial 10000000000000a2) boots from the network.
    const inventory = kubeInventory(new URL(standins.api.url).host)
      .replace('defaults:\n', 'defaults:\n  netboot: { image: v1 }\n')
      .replace('    ip: 10.0.10.11\n', '    ip: 10.0.10.11\n    netboot: {}\n');
    expect(inventory).toContain('netboot: {}');
    const ws = await makeWorkspace(inventory, {
      'setup.sh': RECORDING_SETUP,
      'manifests/flannel.yaml': await readFile(FLANNEL, 'utf8'),
    });
    // First start makes the CA whose fingerprint goes on the cmdline; then netboot.yaml, the image
    // and the roots, and the controller again on the same port, as `serve --netboot-config` runs.
    const port = await freePort();
    await (await startTestController(ws, { port })).stop();
    const secrets = await controllerSecrets(ws.dataDir);
    // The power hook asks the board's supply (this test) to power it on, and records its env.
    const hook = join(ws.dir, 'poe-port.sh');
    await writeFile(
      hook,
      '#!/bin/sh\nenv | grep "^OSBUILD_" | sort > "$(dirname "$0")/power-on-request"\necho "port 3 cycled"\n',
    );
    await chmod(hook, 0o755);
    const config = netbootConfig(join(ws.dir, 'srv'), {
      powerHooks: { 'w-01': { command: [hook, 'cycle'], timeoutSec: 20 } },
      agent: {
        controller: `mqtts://127.0.0.1:${port}`,
        caFingerprint: fingerprintOf(secrets.ca as string),
        claimFile: '/etc/osbuild/claim',
      },
    });
    const configFile = join(ws.dir, 'netboot.yaml');
    await writeFile(configFile, YAML.stringify(config));
    const layout = netbootLayout(config.dir);
    const src = await makeImageVersion(join(ws.dir, 'out'), 'v1', {
      'etc/osbuild/claim': `${secrets.claimSecret}\n`,
    });
    await importImage(src, layout, { exec });
    const { loadInventory } = await import('@osbuild/shared');
    const loaded = await loadInventory(ws.inventoryPath);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.issues));
    await renderNetboot(loaded.inventory, config, { exec, now: () => new Date() });
    const controller = await startTestController(ws, {
      port,
      options: { netbootConfigPath: configFile, drainDeadlineMs: 20_000 },
    });
    cleanups.push(() => controller.stop());
    const cp01 = await startKubeAgent(controller, standins, 'pi5-a');
    cleanups.push(() => cp01.agent.stop());

    const root = layout.root('w-01');
    const boots: string[] = [];
    let board: ChildProcess | undefined;
    // Stand-in for the Pi's firmware and kernel booting from the served root.
    const boot = async () => {
      for (const dir of ['proc', 'sys', 'run'])
        await cp(join(HOST_FIXTURES, 'pi5-b', dir), join(root, dir), { recursive: true });
      const cmdline = await readFile(join(layout.tftpRoot, '000000a2', 'cmdline.txt'), 'utf8');
      await writeFile(join(root, 'proc/cmdline'), cmdline);
      const mounts = await readFile(join(root, 'proc/mounts'), 'utf8');
      const others = mounts.split('\n').filter((l) => !/^\S+ \/ /.test(l));
      await writeFile(
        join(root, 'proc/mounts'),
        `10.0.10.2:${root} / nfs4 rw,vers=4.1 0 0\n${others.join('\n')}`,
      );
      await makeKubeReady(root); // the image's Kubernetes layer (containerd, modules, sysctls)
      const bootId = randomUUID();
      boots.push(bootId);
      await writeFile(join(root, 'proc/sys/kernel/random/boot_id'), `${bootId}\n`);
      const child = spawn(process.execPath, [AGENT_BIN, 'run', '--host-root', root, '--log-level', 'warn'], {
        stdio: 'ignore',
        env: {
          ...process.env,
          PATH: `${STANDIN_BIN}:${process.env.PATH ?? ''}`,
          OSBUILD_KUBE_STANDIN_DIR: standins.dir,
        },
      });
      board = child;
      cleanups.push(() => kill9(child));
    };
    await boot();
    await waitFor(
      'cp-01 and w-01 ready',
      async () => {
        const p = await ask(controller, phases);
        return p['cp-01'] === 'ready' && p['w-01'] === 'ready' ? p : null;
      },
      60_000,
    );
    expect(standins.api.nodeNames().sort()).toEqual(['cp-01', 'w-01']);
    await writeFile(join(root, 'etc/left-behind'), 'state of the old life\n');
    standins.api.addPod('shop', 'web-1', 'w-01', { app: 'web' });
    const requestsBefore = standins.api.requests.length;

    // The board reboots when its agent asks for it (the fixture host system logs the request).
    let rebooted = false;
    const watcher = (async () => {
      const actions = join(root, 'var/log/osbuild/host-actions.log');
      await waitFor(
        'the agent on the fresh root asks for a reboot',
        async () => (await readFile(actions, 'utf8').catch(() => '')).includes('"action":"reboot"'),
        60_000,
      );
      rebooted = true;
      await kill9(board as ChildProcess);
      await boot();
    })();
    const env = { OSBUILD_DATA_DIR: ws.dataDir };
    const r = await runCli(['reprovision', 'w-01', '-o', 'json'], { env });
    await watcher;
    expect(r.code, r.stderr).toBe(0);
    const [o] = outcomes(r.stdout);
    const cmd = o?.command as NonNullable<typeof o>['command'] & {
      bootIdBefore: string;
      bootIdAfter: string;
    };
    expect(cmd.state).toBe('succeeded');
    expect(cmd.reason).toMatch(/^w-01 was reset and provisioned again \(run run-/);
    expect([cmd.bootIdBefore, cmd.bootIdAfter]).toEqual([boots[0], boots[1]]);
    expect(rebooted).toBe(true);
    // Progress as the CLI saw it (polled, so a fast root reset may fall between two polls).
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('w-01:'));
    const seen = (re: RegExp) => progress.findIndex((l) => re.test(l));
    expect(seen(/draining/), r.stderr).toBeGreaterThanOrEqual(0);
    expect(seen(/provisioning/), r.stderr).toBeGreaterThan(seen(/draining/));
    expect(seen(/succeeded/), r.stderr).toBeGreaterThan(seen(/provisioning/));

    // Drained through the eviction API, the Node deleted, then created again by the new join.
    const after = standins.api.requests.slice(requestsBefore);
    const evict = after.findIndex((q) => q.method === 'POST' && q.path.endsWith('/pods/web-1/eviction'));
    const del = after.findIndex((q) => q.method === 'DELETE' && q.path === '/api/v1/nodes/w-01');
    expect(evict).toBeGreaterThanOrEqual(0);
    expect(del).toBeGreaterThan(evict);
    expect(standins.api.pods()).toEqual([]);
    const joins = (await standins.calls()).filter((c) => c.tool === 'kubeadm' && c.argv[0] === 'join');
    expect(joins).toHaveLength(2);
    await waitFor('w-01 ready again', async () =>
      (await ask(controller, phases))['w-01'] === 'ready' ? 1 : 0,
    );
    expect(standins.api.nodeNames().sort()).toEqual(['cp-01', 'w-01']);

    // The root is pristine and provisioned once since.
    await expect(stat(join(root, 'etc/left-behind'))).rejects.toThrow();
    expect(await readFile(join(root, 'etc/osbuild/setup-runs'), 'utf8')).toBe('run\n');

    // The command record, nodes why, the audit.
    const events = await ask(controller, (rpc) => rpc.call('events.list', { name: 'w-01', limit: 1000 }));
    const trail = events.filter((e) => e.data.cmdId === cmd.id).map((e) => e.type);
    expect(trail).toEqual(['command-created', 'netboot-root-reset', 'command-sent', 'command-finished']);
    const why = await runCli(['nodes', 'why', 'w-01', '-o', 'json'], { env });
    expect(JSON.parse(why.stdout).lastCommand).toMatchObject({
      id: cmd.id,
      action: 'reprovision',
      state: 'succeeded',
    });
    expect((await runCli(['nodes', 'why', 'w-01'], { env })).stdout).toContain(
      `Last command: ${cmd.id} reprovision succeeded: w-01 was reset and provisioned again`,
    );
    const audit = await readFile(auditLogPath(ws.dataDir), 'utf8');
    expect(audit).toMatch(/"action":"command.reprovision","target":"w-01","result":"ok"/);
    expect(audit).toMatch(/"action":"node.removed-from-cluster","target":"w-01"/);

    // The board dies: its agent is unreachable, its Node goes NotReady with a pod still bound.
    await kill9(board as unknown as ChildProcess);
    await waitFor('w-01 offline', async () => {
      const n = await ask(controller, (rpc) => rpc.call('nodes.show', { name: 'w-01' }));
      return n.online ? null : n;
    });
    standins.api.unreachable.add('w-01');
    standins.api.setNodeReady('w-01', false, 'NodeStatusUnknown', 'Kubelet stopped posting node status.');
    standins.api.addPod('shop', 'web-2', 'w-01', { app: 'web' });
    await writeFile(join(root, 'etc/left-behind'), 'state of the second life\n');
    const requestsDead = standins.api.requests.length;
    const powerOn = join(ws.dir, 'power-on-request');
    const supply = (async () => {
      await waitFor('the power hook asks for power', async () => stat(powerOn).catch(() => null), 60_000);
      standins.api.unreachable.delete('w-01');
      await boot();
    })();
    const dead = await runCli(['reprovision', 'w-01', '-o', 'json'], { env });
    await supply;
    expect(dead.code, dead.stderr).toBe(0);
    const cmd2 = outcomes(dead.stdout)[0]?.command as typeof cmd;
    expect(cmd2.state).toBe('succeeded');
    expect([cmd2.bootIdBefore, cmd2.bootIdAfter]).toEqual([boots[1], boots[2]]);
    expect(dead.stderr).toContain('power hook ran; waiting for w-01 to come back with a new boot id');
    expect(await readFile(powerOn, 'utf8')).toBe(
      `OSBUILD_NODE=w-01\nOSBUILD_NODE_ID=${cmd2.nodeId}\nOSBUILD_NODE_MAC=dc:a6:32:00:00:0b\nOSBUILD_NODE_SERIAL=10000000000000a2\n`,
    );
    const deadReqs = standins.api.requests.slice(requestsDead);
    expect(deadReqs.some((q) => q.method === 'POST' && q.path.endsWith('/pods/web-2/eviction'))).toBe(true);
    expect(deadReqs.some((q) => q.method === 'DELETE' && q.path === '/api/v1/nodes/w-01')).toBe(true);
    expect(standins.api.pods()).toEqual([]); // the Terminating pod went with its Node
    await expect(stat(join(root, 'etc/left-behind'))).rejects.toThrow();
    const events2 = await ask(controller, (rpc) => rpc.call('events.list', { name: 'w-01', limit: 1000 }));
    expect(events2.filter((e) => e.data.cmdId === cmd2.id).map((e) => e.type)).toEqual([
      'command-created',
      'netboot-root-reset',
      'power-hook-started',
      'power-cycled',
      'command-finished',
    ]);
    const logs = await ask(controller, (rpc) => rpc.call('logs.get', { name: 'w-01', limit: 5000 }));
    expect(logs.filter((l) => l.cmdId === cmd2.id).map((l) => l.text)).toEqual([
      '[power hook] port 3 cycled',
    ]);
    await waitFor('w-01 ready after the power cycle', async () =>
      (await ask(controller, phases))['w-01'] === 'ready' ? 1 : 0,
    );
    expect(
      await waitFor('power hook audited', async () => {
        const text = await readFile(auditLogPath(ws.dataDir), 'utf8');
        return text.includes('"node.power-hook"') ? text : null;
      }),
    ).toMatch(/"actor":"controller","action":"node.power-hook","target":"w-01","result":"ok"/);
    await rm(powerOn);
  }, 240_000);
});
