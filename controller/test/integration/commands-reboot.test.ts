// `osbuild reboot` end to end: a real controller and real agents on fixture roots; the fixture
// host-system seam records the reboot and restarts the agent session with a new boot id.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';
import { askOp } from '../support/commands.js';
import {
  FIXTURE_INVENTORY,
  makeWorkspace,
  phases,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

async function provisioned(boards: string[]) {
  const ws = await makeWorkspace(FIXTURE_INVENTORY);
  const c = await startTestController(ws);
  cleanups.push(() => c.stop());
  const agents: Record<string, Awaited<ReturnType<typeof startFixtureAgent>>> = {};
  for (const b of boards) {
    agents[b] = await startFixtureAgent(c, b);
    const a = agents[b];
    cleanups.push(() => a.agent.stop());
  }
  await waitFor('provisioned', async () => {
    const p = await askOp(c, phases);
    return Object.values(p).filter((x) => x === 'provisioned').length === boards.length;
  });
  return { ws, c, agents };
}

describe('osbuild reboot', { timeout: SLOW_MS }, () => {
  it('is confirmed only by a hello with a new boot id, recorded by the fixture seam', async () => {
    const { ws, agents } = await provisioned(['pi5-b']);
    const root = agents['pi5-b']?.root as string;
    const before = (await readFile(join(root, 'proc/sys/kernel/random/boot_id'), 'utf8')).trim();
    const run = await runCli(['reboot', 'w-01', '--data-dir', ws.dataDir, '-o', 'json']);
    expect(run.stderr).toMatch(/w-01: (sent|accepted)/);

    if (run.code !== 0) console.log(run.stdout, run.stderr);
    expect(run.code).toBe(0);
    const [outcome] = JSON.parse(run.stdout) as Array<{ status: string; command: Record<string, unknown> }>;
    expect(outcome?.status).toBe('done');
    const cmd = outcome?.command as Record<string, string>;
    expect(cmd.state).toBe('succeeded');
    expect(cmd.reason).toMatch(/new boot id/);
    expect(cmd.bootIdBefore).toBe(before);
    const after = (await readFile(join(root, 'proc/sys/kernel/random/boot_id'), 'utf8')).trim();
    expect(after).not.toBe(before);
    expect(cmd.bootIdAfter).toBe(after);
    expect(cmd.ackedAt).not.toBeNull();
    const log = await readFile(join(root, 'var/log/osbuild/host-actions.log'), 'utf8');
    expect(log.match(/"action":"reboot"/g)?.length).toBe(1);
  });
});
