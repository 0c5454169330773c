// The persistent queue and its guarantees: a command for an offline node waits as `queued` and is
// delivered when the node comes back; it expires after its TTL with a clear reason; a command
// nobody acknowledges times out; late and duplicate reports change nothing. Real broker, real agents
// (and a raw MQTT node for the silent and duplicate cases).
import { PROTOCOL_VERSION, topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';
import { askOp, LABELLED_INVENTORY, outcomes, PROBE, provisionedFleet } from '../support/commands.js';
import {
  enrolRawNode,
  freePort,
  makeWorkspace,
  phases,
  RECORDING_SETUP,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

describe('commands for offline nodes', { timeout: SLOW_MS }, () => {
  it('wait as queued and are delivered when the node comes online (a reboot, confirmed by boot id)', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    await f.agents['w-01']?.agent.stop();
    await waitFor(
      'offline',
      async () => !(await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-01' }))).online,
    );
    const made = await f.cli(['reboot', 'w-01', '--detach', '-o', 'json']);
    expect(made.code).toBe(0);
    const id = outcomes(made.stdout)[0]?.command?.id as string;
    const queued = await f.cli(['commands', 'show', id, '-o', 'json']);
    const view = JSON.parse(queued.stdout);
    expect(view.state).toBe('queued');
    expect(view.reason).toMatch(/w-01 is offline; the command waits until it comes online/);
    const ls = await f.cli(['commands', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`${id}\\s+reboot\\s+w-01\\s+queued`));

    const again = await startFixtureAgent(f.c, 'pi5-b', f.root('w-01'));
    cleanups.push(() => again.agent.stop());
    const done = await waitFor('reboot confirmed', async () => {
      const c = await askOp(f.c, (r) => r.call('commands.show', { id }));
      return c.state === 'succeeded' ? c : null;
    });
    expect(done.bootIdAfter).not.toBe(done.bootIdBefore);
    expect(done.reason).toMatch(/new boot id/);
  });

  it('survive a controller restart (the queue is the SQLite table) and are delivered afterwards', async () => {
    const ws = await makeWorkspace(LABELLED_INVENTORY, {
      'setup.sh': RECORDING_SETUP,
      'scripts/probe.sh': PROBE,
    });
    const port = await freePort();
    let c = await startTestController(ws, { port });
    // Whichever controller is current when the test ends (the first, if it fails early).
    cleanups.push(() => c.stop());
    const a = await startFixtureAgent(c, 'pi5-c');
    cleanups.push(() => a.agent.stop());
    await waitFor('provisioned', async () => (await askOp(c, phases))['w-02'] === 'provisioned');
    await a.agent.stop();
    await waitFor(
      'offline',
      async () => !(await askOp(c, (r) => r.call('nodes.show', { name: 'w-02' }))).online,
    );
    const made = await runCli([
      'run',
      'w-02',
      'scripts/probe.sh',
      '--detach',
      '-o',
      'json',
      '--data-dir',
      ws.dataDir,
    ]);
    const id = outcomes(made.stdout)[0]?.command?.id as string;
    await c.stop();
    c = await startTestController(ws, { port });
    const restarted = c;
    expect((await askOp(c, (r) => r.call('commands.show', { id }))).state).toBe('queued');
    const again = await startFixtureAgent(c, 'pi5-c', a.root);
    cleanups.push(() => again.agent.stop());
    const done = await waitFor('delivered after the restart', async () => {
      const v = await askOp(restarted, (r) => r.call('commands.show', { id }));
      return v.state === 'succeeded' ? v : null;
    });
    expect(done.outputTail).toContain('probe on pi-10000000000000a3');
  });

  it('expire after their TTL with a clear reason, and the CLI exits 9', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    await f.agents['w-01']?.agent.stop();
    await waitFor(
      'offline',
      async () => !(await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-01' }))).online,
    );
    const t0 = Date.now();
    const r = await f.cli(['run', 'w-01', 'scripts/probe.sh', '--ttl', '1', '-o', 'json']);
    expect(r.code).toBe(9);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('expired');
    expect(o?.command?.reason).toBe(
      "w-01 stayed offline for the command's whole TTL (1 s); it was never delivered",
    );
    expect(Date.now() - t0).toBeLessThan(30_000);
    // Coming back later does not revive it.
    const again = await startFixtureAgent(f.c, 'pi5-b', f.root('w-01'));
    cleanups.push(() => again.agent.stop());
    await waitFor(
      'online',
      async () => (await askOp(f.c, (x) => x.call('nodes.show', { name: 'w-01' }))).online,
    );
    await new Promise((res) => setTimeout(res, 500));
    const still = await askOp(f.c, (x) => x.call('commands.show', { id: o?.command?.id as string }));
    expect(still.state).toBe('expired');
  });
});

describe('deadlines, duplicates and late reports (raw node over the real broker)', {
  timeout: SLOW_MS,
}, () => {
  async function rawNode() {
    const f = await provisionedFleet(cleanups, []);
    const nodeId = 'pi-10000000000000a2';
    const hello = {
      v: PROTOCOL_VERSION,
      seq: 0,
      bootSeq: 1,
      at: new Date().toISOString(),
      identity: {
        nodeId,
        serial: '10000000000000a2',
        nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0b' }],
        model: 'Raspberry Pi 5 Model B Rev 1.0',
        hostname: 'raspberrypi',
        bootId: '11111111-2222-3333-4444-555555555555',
        bootSource: 'nvme',
        agentVersion: '0.0.0-test',
        imageVersion: null,
      },
      provisioned: null,
    };
    const { port } = await enrolRawNode(f.c, hello as never);
    cleanups.push(() => port.close());
    const cmds: Array<{ id: string; body: { type: string } }> = [];
    port.onMessage((m) => cmds.push(JSON.parse(m.payload.toString())));
    await port.subscribe([topics.node(nodeId, 'cmd')]);
    await port.publish(topics.node(nodeId, 'hello'), { ...hello, seq: 1 }, { qos: 1 });
    await waitFor(
      'online',
      async () => (await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-01' }))).online,
    );
    return { f, port, nodeId, cmds };
  }

  it('times out a command the node never acknowledges, naming why', async () => {
    const { f } = await rawNode();
    const r = await f.cli(['reboot', 'w-01', '--deadline', '1', '-o', 'json']);
    expect(r.code).toBe(9);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('timed-out');
    expect(o?.command?.reason).toBe('w-01 never acknowledged the command within 1 s');
  });

  it('re-sends an unacknowledged command on the next hello with the same id, and ignores late results', async () => {
    const { f, port, nodeId, cmds } = await rawNode();
    const made = await f.cli(['run', 'w-01', 'scripts/probe.sh', '--detach', '-o', 'json']);
    const id = outcomes(made.stdout)[0]?.command?.id as string;
    await waitFor('delivered', async () => cmds.some((c) => c.id === id));
    // A reconnect hello before any ack: the controller delivers the same id again.
    await port.publish(
      topics.node(nodeId, 'hello'),
      {
        v: 1,
        seq: 2,
        bootSeq: 1,
        at: new Date().toISOString(),
        identity: {
          nodeId,
          serial: '10000000000000a2',
          nics: [{ name: 'eth0', mac: 'dc:a6:32:00:00:0b' }],
          model: null,
          hostname: 'raspberrypi',
          bootId: '11111111-2222-3333-4444-555555555555',
          bootSource: 'nvme',
          agentVersion: '0.0.0-test',
          imageVersion: null,
        },
        provisioned: null,
      },
      { qos: 1 },
    );
    await waitFor('re-delivered', async () => cmds.filter((c) => c.id === id).length >= 2);
    const resultTopic = topics.node(nodeId, 'cmd-result');
    const at = new Date().toISOString();
    await port.publish(
      resultTopic,
      { v: 1, type: 'ack', id, at, duplicate: false, bootId: 'b1' },
      { qos: 1 },
    );
    await port.publish(resultTopic, { v: 1, type: 'ack', id, at, duplicate: true, bootId: 'b1' }, { qos: 1 });
    const result = {
      v: 1,
      id,
      outcome: 'succeeded',
      exitCode: 0,
      error: null,
      outputTail: 'ok\n',
      startedAt: at,
      finishedAt: at,
    };
    await port.publish(resultTopic, result, { qos: 1 });
    await waitFor(
      'succeeded',
      async () => (await askOp(f.c, (r) => r.call('commands.show', { id }))).state === 'succeeded',
    );
    // A late duplicate result with another outcome changes nothing.
    await port.publish(resultTopic, { ...result, outcome: 'failed', exitCode: 1, error: 'boom' }, { qos: 1 });
    await new Promise((res) => setTimeout(res, 300));
    const view = await askOp(f.c, (r) => r.call('commands.show', { id }));
    expect(view).toMatchObject({ state: 'succeeded', exitCode: 0, outputTail: 'ok\n' });
    expect(view.deliveries).toBeGreaterThanOrEqual(2);
    const events = await askOp(f.c, (r) => r.call('events.list', { name: 'w-01', limit: 200 }));
    expect(events.filter((e) => e.type === 'command-duplicate' && e.data.cmdId === id)).toHaveLength(1);
    expect(events.filter((e) => e.type === 'command-finished' && e.data.cmdId === id)).toHaveLength(1);
  });

  it('reports a reboot as rebooting, not done, when the agent says so but the boot id did not change', async () => {
    const { f, port, nodeId, cmds } = await rawNode();
    const made = await f.cli(['reboot', 'w-01', '--detach', '--deadline', '2', '-o', 'json']);
    const id = outcomes(made.stdout)[0]?.command?.id as string;
    await waitFor('delivered', async () => cmds.some((c) => c.id === id));
    const at = new Date().toISOString();
    await port.publish(
      topics.node(nodeId, 'cmd-result'),
      {
        v: 1,
        id,
        outcome: 'succeeded',
        exitCode: null,
        error: null,
        outputTail: '',
        startedAt: at,
        finishedAt: at,
      },
      { qos: 1 },
    );
    await waitFor(
      'rebooting',
      async () => (await askOp(f.c, (r) => r.call('commands.show', { id }))).state === 'rebooting',
    );
    const end = await waitFor('timed out', async () => {
      const c = await askOp(f.c, (r) => r.call('commands.show', { id }));
      return c.state === 'timed-out' ? c : null;
    });
    expect(end.reason).toBe('w-01 did not come back with a new boot id within 2 s');
  });
});
