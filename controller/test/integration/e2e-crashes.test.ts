import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import {
  AGENT_BIN,
  ask,
  CONTROLLER_BIN,
  FIXTURE_INVENTORY,
  freePort,
  kill9,
  makeWorkspace,
  operator,
  phases,
  spawnNode,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

// Blocks until the test drops a `release` file into the host root, so a crash lands mid-step.
const GATED_SETUP = `#!/usr/bin/env bash
set -euo pipefail
echo start >> "$OSBUILD_HOST_ROOT/setup-starts"
for _ in $(seq 1 300); do [ -f "$OSBUILD_HOST_ROOT/release" ] && break; sleep 0.1; done
[ -f "$OSBUILD_HOST_ROOT/release" ] || { echo "never released" >&2; exit 9; }
echo done >> "$OSBUILD_HOST_ROOT/setup-done"
`;

const cleanups = useCleanups();

const lines = async (file: string) =>
  existsSync(file) ? (await readFile(file, 'utf8')).trim().split('\n') : [];

describe('crashes mid-plan (real processes, SIGKILL)', () => {
  it('a controller killed with SIGKILL mid-step resumes every node after restart, without re-running the step', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY, { 'setup.sh': GATED_SETUP });
    const [port, httpPort] = [await freePort(), await freePort()];
    const mqttUrl = `mqtt://127.0.0.1:${port}`;
    const serveArgs = [
      CONTROLLER_BIN,
      'serve',
      '--inventory',
      ws.inventoryPath,
      '--data-dir',
      ws.dataDir,
      '--bootstrap-dir',
      ws.bootstrapDir,
      '--listen',
      mqttUrl,
      '--http-listen',
      `http://127.0.0.1:${httpPort}`,
      '--log-level',
      'warn',
    ];
    const ref = { mqttUrl, dataDir: ws.dataDir };
    let controller = spawnNode(serveArgs);
    cleanups.push(() => kill9(controller.child));
    await waitFor(
      'controller up',
      () => ask(ref, async (rpc) => (await rpc.call('controller.stats', {})).version),
      30_000,
    );

    const boards = await Promise.all(['pi5-a', 'pi5-c'].map((b) => startFixtureAgent(ref, b)));
    for (const b of boards) cleanups.push(() => b.agent.stop());
    // Wait for the scripts themselves, not just the dispatch: the agent fetches the repository first.
    await waitFor(
      'both boards inside setup.sh',
      async () => {
        const starts = await Promise.all(boards.map((b) => lines(join(b.root, 'setup-starts'))));
        return starts.every((s) => s.length === 1);
      },
      30_000,
    );
    const whys = await ask(ref, (rpc) =>
      Promise.all(['cp-01', 'w-02'].map((n) => rpc.call('nodes.why', { name: n }))),
    );
    for (const w of whys) expect(w.currentStep).toMatchObject({ kind: 'run-script', state: 'running' });

    await kill9(controller.child);
    // The scripts finish while no controller is there to hear about it.
    for (const b of boards) await writeFile(join(b.root, 'release'), '');
    await waitFor('scripts done', async () => {
      const done = await Promise.all(boards.map((b) => lines(join(b.root, 'setup-done'))));
      return done.every((d) => d.length === 1);
    });

    controller = spawnNode(serveArgs);
    await waitFor(
      'both boards provisioned after restart',
      () =>
        ask(ref, async (rpc) => {
          const p = await phases(rpc);
          return p['cp-01'] === 'provisioned' && p['w-02'] === 'provisioned';
        }),
      30_000,
    ).catch(async (err) => {
      throw new Error(`${(err as Error).message}\ncontroller output:\n${controller.output()}`);
    });
    for (const b of boards) {
      expect(await lines(join(b.root, 'setup-starts'))).toEqual(['start']);
      expect((await readFile(join(b.root, 'etc/hostname'), 'utf8')).trim()).toMatch(/^(cp-01|w-02)$/);
    }
    const detail = await ask(ref, (rpc) => rpc.call('nodes.show', { name: 'w-02' }));
    expect(detail.run?.steps.find((s) => s.kind === 'run-script')).toMatchObject({
      state: 'succeeded',
      attempt: 1,
    });
  }, 90_000);

  it('an agent killed with SIGKILL mid-step reports the step interrupted after restart and the plan resumes', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY, { 'setup.sh': GATED_SETUP });
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());

    const root = await copyHostFixture('pi5-b');
    const agentArgs = [
      AGENT_BIN,
      'run',
      '--controller',
      controller.mqttUrl,
      '--host-root',
      root,
      '--state-dir',
      join(root, 'state'),
      '--claim-file',
      join(ws.dataDir, 'claim.secret'),
      '--ca-file',
      join(ws.dataDir, 'tls', 'ca.pem'),
      '--log-level',
      'warn',
    ];
    let agent = spawnNode(agentArgs);
    cleanups.push(() => kill9(agent.child));
    await waitFor(
      'w-01 inside setup.sh',
      async () => (await lines(join(root, 'setup-starts'))).length === 1,
      30_000,
    );
    const before = await rpc.call('nodes.why', { name: 'w-01' });
    expect(before.currentStep).toMatchObject({ kind: 'run-script', state: 'running', attempt: 1 });

    await kill9(agent.child);
    await writeFile(join(root, 'release'), ''); // lets the orphaned script of the dead agent end too
    agent = spawnNode(agentArgs);
    await waitFor(
      'w-01 provisioned after the agent restarted',
      async () => (await phases(rpc))['w-01'] === 'provisioned',
      30_000,
    );

    const run = (await rpc.call('nodes.show', { name: 'w-01' })).run;
    const step = run?.steps.find((s) => s.kind === 'run-script');
    expect(step).toMatchObject({ state: 'succeeded', attempt: 2 });
    expect(await lines(join(root, 'setup-starts'))).toHaveLength(2);
    // The killed attempt is on record in the agent's journal as interrupted, not lost.
    const journal = JSON.parse(
      await readFile(join(root, 'state/journal', `${run?.id}-${step?.index}-1.json`), 'utf8'),
    );
    expect(journal).toMatchObject({ result: { outcome: 'interrupted' } });
  }, 90_000);
});
