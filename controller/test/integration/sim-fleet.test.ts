// The fleet simulator against a real controller: 5 simulated boards from `osbuild sim inventory`
// enrol with the claim secret over TLS and all reach `provisioned`.
import { readdir, rm, stat } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { RpcClient } from '../../src/rpc/client.js';
import { type Fleet, fleetProgress, startFleet } from '../../src/sim/fleet.js';
import { runCli } from '../support/cli-harness.js';
import { controllerSecrets, makeWorkspace, operator, startTestController, waitFor } from '../support/e2e.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

describe('osbuild sim', () => {
  it('provisions 5 simulated boards against a real controller, then cleans up', async () => {
    const inv = await runCli(['sim', 'inventory', '--nodes', '5', '--seed', '3']);
    expect(inv.code).toBe(0);
    const ws = await makeWorkspace(inv.stdout);
    cleanup.push(() => rm(ws.dir, { recursive: true, force: true }));
    const controller = await startTestController(ws);
    cleanup.push(() => controller.stop());
    const secrets = await controllerSecrets(ws.dataDir);

    const fleet: Fleet = await startFleet({
      controllerUrl: controller.mqttUrl,
      nodes: 5,
      seed: 3,
      claimSecret: secrets.claimSecret,
      caFile: secrets.caFile,
      workDir: ws.dir,
      reclaimMs: 1_000,
    });
    cleanup.push(() => fleet.stop());
    expect(fleet.hostnames).toEqual(['sim3-0000', 'sim3-0001', 'sim3-0002', 'sim3-0003', 'sim3-0004']);

    const rpc: RpcClient = await operator(controller);
    cleanup.push(() => rpc.close());
    const done = await waitFor(
      'all 5 simulated boards provisioned',
      async () => {
        const p = fleetProgress(fleet.hostnames, await rpc.call('nodes.list', {}));
        return p.provisioned === 5 ? p : undefined;
      },
      60_000,
    );
    expect(done).toMatchObject({ total: 5, known: 5, online: 5, provisioned: 5, failed: 0 });

    await fleet.stop();
    await expect(stat(fleet.workDir)).rejects.toMatchObject({ code: 'ENOENT' });
    await waitFor('all 5 offline', async () => {
      const p = fleetProgress(fleet.hostnames, await rpc.call('nodes.list', {}));
      return p.online === 0;
    });
  }, 90_000);

  it('starts a range of boards one by one over the spread (shards of a boot storm)', async () => {
    const inv = await runCli(['sim', 'inventory', '--nodes', '8', '--seed', '5']);
    const ws = await makeWorkspace(inv.stdout);
    cleanup.push(() => rm(ws.dir, { recursive: true, force: true }));
    const controller = await startTestController(ws);
    cleanup.push(() => controller.stop());
    const secrets = await controllerSecrets(ws.dataDir);

    const before = Date.now();
    const fleet = await startFleet({
      controllerUrl: controller.mqttUrl,
      nodes: 3,
      from: 5,
      seed: 5,
      spreadMs: 600,
      claimSecret: secrets.claimSecret,
      caFile: secrets.caFile,
      workDir: ws.dir,
    });
    cleanup.push(() => fleet.stop());
    expect(fleet.hostnames).toEqual(['sim5-0005', 'sim5-0006', 'sim5-0007']);
    expect(fleet.agents.map((a) => a.nodeId)).toEqual([
      'pi-2000000500000005',
      'pi-2000000500000006',
      'pi-2000000500000007',
    ]);
    const [a, b, c] = fleet.startedAt as [number, number, number];
    // Evenly over 600 ms: board k is due 200 ms x k after the fleet's start time, which is after
    // `before`. Timers may fire late (a loaded CI machine delayed one by 100 ms, so gaps between
    // neighbours are not checked), never early: each start is no earlier than its slot.
    expect(a).toBeLessThanOrEqual(b);
    expect(b).toBeLessThanOrEqual(c);
    expect(b - before).toBeGreaterThanOrEqual(199);
    expect(c - before).toBeGreaterThanOrEqual(399);

    const rpc: RpcClient = await operator(controller);
    cleanup.push(() => rpc.close());
    await waitFor(
      'the 3 boards provisioned',
      async () => fleetProgress(fleet.hostnames, await rpc.call('nodes.list', {})).provisioned === 3,
      60_000,
    );
  }, 90_000);

  it("refuses a board range beyond the simulator's identities", async () => {
    await expect(
      startFleet({ controllerUrl: 'mqtt://127.0.0.1:1', nodes: 2, from: 9_999, claimSecret: 'x' }),
    ).rejects.toThrow('boards 9999 to 10000 are outside 0 to 9999');
  });

  it('`sim run` runs the fleet until the shutdown signal and reports progress on stderr', async () => {
    const inv = await runCli(['sim', 'inventory', '--nodes', '2', '--seed', '4']);
    const ws = await makeWorkspace(inv.stdout);
    cleanup.push(() => rm(ws.dir, { recursive: true, force: true }));
    const controller = await startTestController(ws);
    cleanup.push(() => controller.stop());
    // The controller wrote controller.json into its data dir: `sim run` finds it there.
    const r = await runCli([
      'sim',
      'run',
      '--nodes',
      '2',
      '--seed',
      '4',
      '--data-dir',
      ws.dataDir,
      '--work-dir',
      ws.dir,
    ]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`sim: started 2 agents (seed 4) against ${controller.mqttUrl}`);
    expect(r.stderr).toMatch(/sim: 2 nodes, \d online, \d provisioned, 0 failed/);
    expect(r.stderr).toContain('sim: stopped');
    expect(r.code).toBe(0);
    expect((await readdir(ws.dir)).filter((f) => f.startsWith('osbuild-sim-'))).toEqual([]);
  });
});
