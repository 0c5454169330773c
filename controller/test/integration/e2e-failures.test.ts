import { writeFile } from 'node:fs/promises';
import { topics } from '@osbuild/shared';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { connectMqtt } from '../../src/transport/mqtt.js';
import {
  type ControllerRef,
  controllerSecrets,
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  phases,
  RECORDING_SETUP,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

async function controllerWith(inventory: string, files?: Record<string, string>) {
  const ws = await makeWorkspace(inventory, files);
  const controller = await startTestController(ws);
  cleanups.push(() => controller.stop());
  const rpc = await operator(controller);
  cleanups.push(() => rpc.close());
  return { ws, controller, rpc };
}

async function agentOn(c: ControllerRef, board: string) {
  const a = await startFixtureAgent(c, board);
  cleanups.push(() => a.agent.stop());
  return a;
}

describe('end to end failures (host actions through the fixture seam)', () => {
  it('marks a node failed when its script fails, and `why` shows the step, exit code and output tail', async () => {
    const failing = `#!/usr/bin/env bash
echo "checking disks on $OSBUILD_HOSTNAME"
if [ "$OSBUILD_HOSTNAME" = w-02 ]; then echo "nvme0n1: SMART check failed" >&2; exit 3; fi
`;
    const { controller, rpc } = await controllerWith(FIXTURE_INVENTORY, { 'setup.sh': failing });
    await agentOn(controller, 'pi5-c');
    await agentOn(controller, 'pi5-a');
    await waitFor('w-02 failed, cp-01 provisioned', async () => {
      const p = await phases(rpc);
      return p['w-02'] === 'failed' && p['cp-01'] === 'provisioned';
    });
    const why = await rpc.call('nodes.why', { name: 'w-02' });
    expect(why.reason).toMatch(/^step 2 \(run-script setup\.sh\) failed with exit code 3 after 2 attempts/);
    expect(why.failedStep).toMatchObject({ index: 2, kind: 'run-script', exitCode: 3, attempt: 2 });
    expect(why.failedStep?.outputTail).toContain('nvme0n1: SMART check failed');
    expect(why.waitingFor).toMatch(/operator/);
  });

  it('keeps a board whose MAC and serial belong to different entries pending, without a plan', async () => {
    const { controller, rpc } = await controllerWith(FIXTURE_INVENTORY);
    const { root } = await agentOn(controller, 'pi5-conflict');
    await waitFor(
      'conflicting board pending',
      async () => (await phases(rpc))['pi-10000000000000a3'] === 'pending',
    );
    const why = await rpc.call('nodes.why', { name: 'pi-10000000000000a3' });
    expect(why.reason).toBe(
      'identity-mismatch: MAC dc:a6:32:00:00:0a is cp-01 but serial 10000000000000a3 is w-02',
    );
    expect((await rpc.call('nodes.show', { name: 'pi-10000000000000a3' })).run).toBeNull();
    const { readFile } = await import('node:fs/promises');
    expect((await readFile(`${root}/etc/hostname`, 'utf8')).trim()).toBe('raspberrypi');
  });

  it('runs scripts from an external git repository pinned to a commit', async () => {
    const repo = await makeGitRepo({ 'scripts/site.sh': RECORDING_SETUP });
    const inventory = `${FIXTURE_INVENTORY}\nbootstrap:\n  repo: ${repo.url}\n  ref: main\n  scripts:\n    - path: scripts/site.sh\n`;
    const { controller, rpc } = await controllerWith(inventory);
    await agentOn(controller, 'pi5-b');
    await waitFor('w-01 provisioned', async () => (await phases(rpc))['w-01'] === 'provisioned');
    const detail = await rpc.call('nodes.show', { name: 'w-01' });
    expect(detail.run?.steps.find((s) => s.kind === 'run-script')?.outputTail).toContain(
      'setting up w-01 as worker',
    );
  });

  it('rejects and counts malformed payloads on every topic without crashing, then keeps working', async () => {
    const { controller, rpc } = await controllerWith(FIXTURE_INVENTORY);
    const secrets = await controllerSecrets(controller.dataDir);
    const ca = secrets.ca;
    const nodeId = 'pi-10000000000000a3';
    const { helloFrom } = await import('../support/provisioner-harness.js');
    const board = helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' });

    // A malformed claim first, then enrol a raw MQTT client as w-02 the way an agent does.
    const claimer = await connectMqtt(controller.mqttUrl, {
      clientId: `agent-${nodeId}`,
      username: 'claim',
      password: secrets.claimSecret,
      ca,
    });
    await claimer.publish(topics.node(nodeId, 'claim'), 'not json', { qos: 1 });
    await claimer.close();
    const { port: rogue } = await enrolRawNode(controller, board);
    cleanups.push(() => rogue.close(true));
    const garbage = [
      'not json',
      '{}',
      JSON.stringify({ v: 99 }),
      JSON.stringify({ v: 1, identity: { nodeId: 'pi-other' } }),
    ];
    for (const kind of ['hello', 'status', 'events', 'cmd-result'] as const) {
      for (const g of garbage) await rogue.publish(topics.node(nodeId, kind), g, { qos: 1 });
    }
    // A hello claiming another node's identity on this node's topic.
    await rogue.publish(
      topics.node(nodeId, 'hello'),
      helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a' }),
      { qos: 1 },
    );

    const cli = await connectMqtt(controller.mqttUrl, { clientId: 'cli-rogue', ...secrets.operator, ca });
    cleanups.push(() => cli.close(true));
    await cli.publish(
      topics.rpcRequest(),
      JSON.stringify({ v: 1, id: 'x', replyTo: 'cli-rogue', method: 'nodes.destroy' }),
      { qos: 1 },
    );
    await cli.publish(topics.rpcRequest(), 'garbage', { qos: 1 });

    const stats = await waitFor('rejections counted', async () => {
      const s = await rpc.call('controller.stats', {});
      return s.rejectedMessages.hello === 5 && s.rejectedMessages['rpc-request'] === 2 ? s : null;
    });
    expect(stats.rejectedMessages).toMatchObject({
      claim: 1,
      hello: 5,
      status: 4,
      events: 4,
      'cmd-result': 4,
      'rpc-request': 2,
    });

    // Nothing was harmed: a real board still provisions.
    await rogue.close(true);
    await agentOn(controller, 'pi5-a');
    await waitFor('cp-01 provisioned', async () => (await phases(rpc))['cp-01'] === 'provisioned');
  });

  it('keeps the last good inventory when an edit is invalid, and picks up a fixed one', async () => {
    const { ws, controller, rpc } = await controllerWith(FIXTURE_INVENTORY);
    await agentOn(controller, 'pi5-unknown');
    await waitFor('unknown pending', async () => (await phases(rpc))['pi-10000000000000ff'] === 'pending');

    await writeFile(
      ws.inventoryPath,
      `${FIXTURE_INVENTORY}  - mac: "dc:a6:32:00:00:99"\n    hostname: w-03\n    role: wrker\n`,
    );
    const broken = await waitFor('reload refused', async () => {
      const s = await rpc.call('controller.stats', {});
      return s.inventory.lastError ? s : null;
    });
    expect(broken.inventory.lastError).toMatch(/nodes\.yaml:\d+:\d+: nodes\[3\]\.role: Invalid option/);
    expect(broken.inventory.entries).toBe(3);
    expect((await phases(rpc))['pi-10000000000000ff']).toBe('pending');

    await writeFile(
      ws.inventoryPath,
      `${FIXTURE_INVENTORY}  - mac: "dc:a6:32:00:00:99"\n    hostname: w-03\n    role: worker\n`,
    );
    await waitFor(
      'unknown board matched after the fix',
      async () => (await phases(rpc))['w-03'] === 'provisioned',
    );
    const fixed = await rpc.call('controller.stats', {});
    expect(fixed.inventory).toMatchObject({ entries: 4, lastError: null });
  });

  it('refuses to start on an invalid inventory, naming file, line and field', async () => {
    const ws = await makeWorkspace('nodes:\n  - mac: "zz"\n    hostname: a\n    role: worker\n');
    await expect(startTestController(ws)).rejects.toThrow(
      /nodes\.yaml:2:10: nodes\[0\]\.mac: expected a MAC address/,
    );
  });
});
