import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startAgent } from '@osbuild/agent';
import { type Telemetry, topics } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  type ControllerRef,
  controllerSecrets,
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  phases,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

async function controller() {
  const ws = await makeWorkspace(FIXTURE_INVENTORY);
  const c = await startTestController(ws);
  cleanups.push(() => c.stop());
  const rpc = await operator(c);
  cleanups.push(() => rpc.close());
  return { c, rpc };
}

/** An agent on a copy of `board` sampling telemetry every second (startFixtureAgent uses the default). */
async function telemetryAgent(c: ControllerRef, board: string) {
  const hostRoot = await copyHostFixture(board);
  const secrets = await controllerSecrets(c.dataDir);
  const agent = await startAgent({
    controllerUrl: c.mqttUrl,
    hostRoot,
    claimSecret: secrets.claimSecret,
    reclaimMs: 1_000,
    tls: { caFile: secrets.caFile },
    logger: pino({ level: process.env.OSBUILD_TEST_LOG ?? 'silent' }),
    reconnect: { baseMs: 50, capMs: 500 },
    telemetryIntervalSec: 1,
  });
  cleanups.push(() => agent.stop());
  return { agent, hostRoot };
}

describe('end to end telemetry', () => {
  it('an enrolled agent reports telemetry that `nodes show` carries, with the fixture temperature', async () => {
    const { c, rpc } = await controller();
    const { hostRoot } = await telemetryAgent(c, 'pi5-a');
    await waitFor('cp-01 provisioned', async () => (await phases(rpc))['cp-01'] === 'provisioned');
    const detail = await waitFor('telemetry on cp-01', async () => {
      const d = await rpc.call('nodes.show', { name: 'cp-01' });
      return d.telemetry ? d : null;
    });
    const expectedTemp =
      Number((await readFile(join(hostRoot, 'sys/class/thermal/thermal_zone0/temp'), 'utf8')).trim()) / 1000;
    expect(detail.telemetry).toMatchObject({
      socTempC: expectedTemp,
      load: [0.52, 0.58, 0.59],
      bootId: detail.bootId,
      throttled: { raw: '0x50005', underVoltageNow: true, throttledNow: true },
      services: { containerd: 'active', kubelet: 'inactive' },
      imageVersion: '2026.11.0',
    });
    expect(detail.lastSeen).not.toBeNull();
    // The fixture board is under-voltage and throttled right now: both are conditions.
    const listed = (await rpc.call('nodes.list', {})).find((n) => n.name === 'cp-01');
    expect(listed?.conditions.map((c) => c.type)).toEqual(['under-voltage', 'throttled']);
    expect((await rpc.call('nodes.why', { name: 'cp-01' })).conditions[0]).toMatchObject({
      type: 'under-voltage',
      severity: 'critical',
    });
    // Prometheus sees the same sample.
    const scrape = await (await fetch(`${c.httpUrl}/metrics`)).text();
    expect(scrape).toContain(`osbuild_node_temperature_celsius{node="cp-01"} ${expectedTemp}`);
    expect(scrape).toMatch(/^osbuild_node_throttled\{node="cp-01"\} 1$/m);
    // A newer sample replaces the stored one (seq grows: one row per node, the latest).
    const first = detail.telemetry?.seq ?? 0;
    await waitFor('a newer sample', async () => {
      const d = await rpc.call('nodes.show', { name: 'cp-01' });
      return (d.telemetry?.seq ?? 0) > first;
    });
  });

  it('rejects and counts malformed telemetry from an enrolled node, keeping the last good sample', async () => {
    const { c, rpc } = await controller();
    const secrets = await controllerSecrets(c.dataDir);
    const _ca = secrets.ca;
    const nodeId = 'pi-10000000000000a3';
    const { helloFrom } = await import('../support/provisioner-harness.js');
    const board = helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' });

    // Enrol a raw MQTT client as w-02 the way an agent does: claim, then its own credential.
    const { port: node } = await enrolRawNode(c, board);
    cleanups.push(() => node.close(true));
    const good: Telemetry = {
      v: 1,
      seq: 1,
      at: new Date().toISOString(),
      bootId: 'boot-1',
      bootSource: 'nvme',
      uptimeSec: 10,
      load: [0.1, 0.2, 0.3],
      cpuPercent: null,
      memory: { totalBytes: 1024, availableBytes: 512 },
      socTempC: 47.5,
      throttled: null,
      disks: [],
      net: [],
      services: { containerd: 'unknown', kubelet: 'unknown' },
      imageVersion: null,
      agentVersion: '0.1.0',
      nvme: null,
    };
    await node.publish(topics.node(nodeId, 'telemetry'), JSON.stringify(good), { qos: 1 });
    await waitFor('the good sample stored', async () => {
      const d = await rpc.call('nodes.show', { name: 'w-02' });
      return d.telemetry?.socTempC === 47.5;
    });

    const garbage = [
      'not json',
      '{}',
      JSON.stringify({ ...good, v: 2 }),
      JSON.stringify({ ...good, socTempC: 'hot' }),
      JSON.stringify({
        ...good,
        net: Array.from({ length: 17 }, (_, i) => ({ iface: `e${i}`, rxBytes: 0, txBytes: 0 })),
      }),
    ];
    for (const g of garbage) await node.publish(topics.node(nodeId, 'telemetry'), g, { qos: 1 });

    const stats = await waitFor('telemetry rejections counted', async () => {
      const s = await rpc.call('controller.stats', {});
      return s.rejectedMessages.telemetry === garbage.length ? s : null;
    });
    expect(stats.rejectedMessages.telemetry).toBe(5);
    expect((await rpc.call('nodes.show', { name: 'w-02' })).telemetry).toMatchObject({
      socTempC: 47.5,
      seq: 1,
    });
  });
});
