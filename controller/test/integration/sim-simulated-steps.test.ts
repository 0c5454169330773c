// The fleet simulator with the simulated step runner swapped in at the agent's executor seam:
// real agent sessions and journals, simulated durations, failure injection and reboots that keep a
// board away for a while and bring it back with a new boot id.
import { rm } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { type Fleet, fleetProgress, startFleet } from '../../src/sim/fleet.js';
import { runCli } from '../support/cli-harness.js';
import { askOp } from '../support/commands.js';
import {
  controllerSecrets,
  makeWorkspace,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

async function simFleet(nodes: number, seed: number, failRate: number) {
  const inv = await runCli(['sim', 'inventory', '--nodes', String(nodes), '--seed', String(seed)]);
  const ws = await makeWorkspace(inv.stdout);
  cleanups.push(() => rm(ws.dir, { recursive: true, force: true }));
  const c = await startTestController(ws);
  cleanups.push(() => c.stop());
  const secrets = await controllerSecrets(ws.dataDir);
  const fleet: Fleet = await startFleet({
    controllerUrl: c.mqttUrl,
    nodes,
    seed,
    claimSecret: secrets.claimSecret,
    caFile: secrets.caFile,
    workDir: ws.dir,
    reclaimMs: 1_000,
    // 100 times faster than a board: a 20 s script takes 0.2 s, a reboot keeps it away 0.25 s.
    simulate: { failRate, speed: 100 },
  });
  cleanups.push(() => fleet.stop());
  return { ws, c, fleet };
}

describe('osbuild sim with simulated steps', { timeout: SLOW_MS }, () => {
  it('provisions with no failures, and a reboot comes back later with a new boot id', async () => {
    const { ws, c, fleet } = await simFleet(3, 5, 0);
    await waitFor('provisioned', async () => {
      const p = fleetProgress(fleet.hostnames, await askOp(c, (r) => r.call('nodes.list', {})));
      return p.provisioned === 3;
    });
    const r = await runCli(['reboot', 'sim5-0001', '--data-dir', ws.dataDir, '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const cmd = JSON.parse(r.stdout)[0].command;
    expect(cmd.state).toBe('succeeded');
    expect(cmd.bootIdAfter).not.toBe(cmd.bootIdBefore);
    // The board was away: the will fired (offline) before the new hello.
    const events = await askOp(c, (x) => x.call('events.list', { name: 'sim5-0001', limit: 200 }));
    expect(events.some((e) => e.type === 'rebooted')).toBe(true);
    expect(Date.parse(cmd.finishedAt) - Date.parse(cmd.sentAt)).toBeGreaterThanOrEqual(250);
  });

  it('--fail-rate 1 fails every board at its first step with a simulated failure', async () => {
    const { c, fleet } = await simFleet(2, 6, 1);
    await waitFor('failed', async () => {
      const p = fleetProgress(fleet.hostnames, await askOp(c, (r) => r.call('nodes.list', {})));
      return p.failed === 2;
    });
    const why = await askOp(c, (r) => r.call('nodes.why', { name: 'sim6-0000' }));
    expect(why.failedStep).toMatchObject({ index: 0, kind: 'set-hostname' });
    expect(why.failedStep?.error ?? why.reason).toMatch(/simulated failure \(fail rate 1\)/);
  });
});
