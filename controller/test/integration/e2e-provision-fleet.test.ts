import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AgentHandle } from '@osbuild/agent';
import { describe, expect, it } from 'vitest';
import type { RpcClient } from '../../src/rpc/client.js';
import {
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  phases,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

async function fleet(boards: string[]) {
  const ws = await makeWorkspace(FIXTURE_INVENTORY);
  const controller = await startTestController(ws);
  cleanups.push(() => controller.stop());
  const rpc: RpcClient = await operator(controller);
  cleanups.push(() => rpc.close());
  const agents: Record<string, { agent: AgentHandle; root: string }> = {};
  for (const b of boards) {
    agents[b] = await startFixtureAgent(controller, b);
    cleanups.push(() => agents[b]!.agent.stop());
  }
  return { ws, controller, rpc, agents };
}

describe('end to end: real controller, real agents on fixture roots (host actions through the fixture seam)', () => {
  it('provisions three Pi 5 boards and leaves an unknown board pending until approved', async () => {
    const { controller, rpc, agents } = await fleet(['pi5-a', 'pi5-b', 'pi5-c', 'pi5-unknown']);
    await waitFor('three boards provisioned and one pending', async () => {
      const p = await phases(rpc);
      return (
        p['cp-01'] === 'provisioned' &&
        p['w-01'] === 'provisioned' &&
        p['w-02'] === 'provisioned' &&
        p['pi-10000000000000ff'] === 'pending'
      );
    });

    const list = await rpc.call('nodes.list', {});
    const byName = Object.fromEntries(list.map((n) => [n.name, n]));
    expect(byName['cp-01']).toMatchObject({
      nodeId: 'pi-10000000000000a1',
      mac: 'dc:a6:32:00:00:0a',
      serial: '10000000000000a1',
      role: 'control-plane',
      ip: '10.0.10.10',
      online: true,
    });
    expect(byName['w-01']).toMatchObject({
      nodeId: 'pi-10000000000000a2',
      role: 'worker',
      reason: 'plan complete',
    });
    expect(byName['pi-10000000000000ff']).toMatchObject({ phase: 'pending', role: null, hostname: null });
    expect(byName['pi-10000000000000ff']!.reason).toMatch(
      /^unknown: no inventory entry has MAC dc:a6:32:00:00:99/,
    );
    for (const n of list) expect(n.lastSeen).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Everything the steps changed stays inside each board's root.
    const root = (b: string) => agents[b]!.root;
    expect((await readFile(join(root('pi5-a'), 'etc/hostname'), 'utf8')).trim()).toBe('cp-01');
    expect((await readFile(join(root('pi5-b'), 'etc/hostname'), 'utf8')).trim()).toBe('w-01');
    expect((await readFile(join(root('pi5-c'), 'etc/hostname'), 'utf8')).trim()).toBe('w-02');
    expect((await readFile(join(root('pi5-unknown'), 'etc/hostname'), 'utf8')).trim()).toBe('raspberrypi');
    expect((await readFile(join(root('pi5-a'), 'etc/osbuild/bootstrapped'), 'utf8')).trim()).toBe(
      'control-plane',
    );
    // pi5-a runs NetworkManager (Raspberry Pi OS), pi5-c systemd-networkd.
    expect(
      await readFile(
        join(root('pi5-a'), 'etc/NetworkManager/system-connections/osbuild-eth0.nmconnection'),
        'utf8',
      ),
    ).toMatch(/10\.0\.10\.10\/24/);
    expect(
      await readFile(join(root('pi5-c'), 'etc/systemd/network/10-osbuild-eth0.network'), 'utf8'),
    ).toMatch(/10\.0\.10\.12\/24/);

    const detail = await rpc.call('nodes.show', { name: 'w-02' });
    expect(detail.run?.steps.map((s) => [s.kind, s.state])).toEqual([
      ['set-hostname', 'succeeded'],
      ['configure-network', 'succeeded'],
      ['run-script', 'succeeded'],
      ['mark-provisioned', 'succeeded'],
    ]);
    expect(detail).toMatchObject({ model: 'Raspberry Pi 5 Model B Rev 1.0', bootSource: 'nvme' });

    const approved = await rpc.call('nodes.approve', {
      nodeId: 'pi-10000000000000ff',
      hostname: 'extra-01',
      role: 'worker',
    });
    // Approval issues the board its own credential; it logs in with it and then gets its plan.
    expect(approved.phase).toBe('matched');
    await waitFor(
      'approved board provisioned',
      async () => (await phases(rpc))['extra-01'] === 'provisioned',
    );
    expect((await readFile(join(root('pi5-unknown'), 'etc/hostname'), 'utf8')).trim()).toBe('extra-01');

    // The fleet as Prometheus sees it.
    const scrape = await (await fetch(`${controller.httpUrl}/metrics`)).text();
    expect(scrape).toMatch(/^osbuild_nodes\{phase="provisioned"\} 4$/m);
    expect(scrape).toMatch(/^osbuild_node_online\{node="cp-01",role="control-plane"\} 1$/m);
    expect(scrape).toMatch(
      /^osbuild_step_duration_seconds_count\{kind="run-script",outcome="succeeded"\} 4$/m,
    );
    expect(scrape).toMatch(/^osbuild_mqtt_connected_clients \d+$/m);
  });

  it('does not provision a provisioned node again when it reboots', async () => {
    const { controller, rpc, agents } = await fleet(['pi5-c']);
    await waitFor('w-02 provisioned', async () => (await phases(rpc))['w-02'] === 'provisioned');
    const runsBefore = (await readFile(join(agents['pi5-c']!.root, 'etc/osbuild/setup-runs'), 'utf8'))
      .trim()
      .split('\n');
    const runId = (await rpc.call('nodes.show', { name: 'w-02' })).run?.id;
    await agents['pi5-c']!.agent.stop();

    // Same board, same disk, new boot.
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(agents['pi5-c']!.root, 'proc/sys/kernel/random/boot_id'),
      'c0ffee00-0000-4000-8000-000000000c02\n',
    );
    const { agent: again } = await startFixtureAgent(controller, 'pi5-c', agents['pi5-c']!.root);
    cleanups.push(() => again.stop());
    await waitFor(
      'new boot id recorded',
      async () =>
        (await rpc.call('nodes.show', { name: 'w-02' })).bootId === 'c0ffee00-0000-4000-8000-000000000c02',
    );
    const after = await rpc.call('nodes.show', { name: 'w-02' });
    expect(after).toMatchObject({ phase: 'provisioned', online: true });
    expect(after.run?.id).toBe(runId);
    const runsAfter = (await readFile(join(agents['pi5-c']!.root, 'etc/osbuild/setup-runs'), 'utf8'))
      .trim()
      .split('\n');
    expect(runsAfter).toEqual(runsBefore);
  });
});
