import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Telemetry, topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/store.js';
import { LatestTelemetry } from '../../src/telemetry/latest-telemetry.js';
import {
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { helloFrom } from '../support/provisioner-harness.js';

const cleanups = useCleanups();
const NODE_ID = 'pi-10000000000000a3';

function sample(seq: number, socTempC: number, at = `2026-11-26T05:00:0${seq}.000Z`): Telemetry {
  return {
    v: 1,
    seq,
    at,
    bootId: 'boot-1',
    bootSource: 'nvme',
    uptimeSec: 10 + seq,
    load: [0.1, 0.2, 0.3],
    cpuPercent: null,
    memory: { totalBytes: 1024, availableBytes: 512 },
    socTempC,
    throttled: null,
    disks: [{ mount: '/', totalBytes: 1000, usedBytes: 250 }],
    net: [],
    services: { containerd: 'unknown', kubelet: 'unknown' },
    imageVersion: null,
    agentVersion: '0.1.0',
    nvme: null,
  };
}

async function scrape(httpUrl: string): Promise<string[]> {
  const res = await fetch(`${httpUrl}/metrics`);
  expect(res.status).toBe(200);
  return (await res.text()).split('\n');
}

describe('/metrics reads the latest telemetry from memory (real controller, broker and SQLite)', () => {
  it('shows a new sample at the next scrape although its row is gone from the database, and is seeded from the store after a restart', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const first = await startTestController(ws);
    let running = first;
    cleanups.push(() => running.stop());
    const { port: node } = await enrolRawNode(
      first,
      helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' }),
    );
    cleanups.push(() => node.close(true));

    await node.publish(topics.node(NODE_ID, 'telemetry'), JSON.stringify(sample(1, 47.5)), { qos: 1 });
    await waitFor('the first sample in the scrape', async () =>
      (await scrape(first.httpUrl)).includes('osbuild_node_temperature_celsius{node="w-02"} 47.5'),
    );

    // Take the telemetry table away behind the controller's back (a second connection to the same
    // file). A scrape that read SQLite would lose the node's telemetry series; the cache keeps it.
    const side = openStore(join(ws.dataDir, 'osbuild.db'));
    cleanups.push(async () => side.close());
    expect(side.db.prepare('DELETE FROM telemetry').run().changes).toBe(1);
    const lines = await scrape(first.httpUrl);
    expect(lines).toContain('osbuild_node_temperature_celsius{node="w-02"} 47.5');
    expect(lines).toContain('osbuild_node_disk_used_ratio{node="w-02",mount="/"} 0.25');

    // A new sample is in the very next scrape (and in the store again, for the next start-up).
    await node.publish(topics.node(NODE_ID, 'telemetry'), JSON.stringify(sample(2, 52.25)), { qos: 1 });
    await waitFor('the stored second sample', async () => side.telemetry.latest(NODE_ID)?.seq === 2);
    expect(await scrape(first.httpUrl)).toContain('osbuild_node_temperature_celsius{node="w-02"} 52.25');

    // Restart on the same data dir: the gauges are there before the node sends anything.
    await node.close(true);
    await first.stop();
    running = await startTestController(ws);
    const after = await scrape(running.httpUrl);
    expect(after).toContain('osbuild_node_temperature_celsius{node="w-02"} 52.25');
  });
});

describe('LatestTelemetry (real SQLite file)', () => {
  it('is seeded with the readable rows of the store and drops samples of removed nodes', async () => {
    const store = openStore(join(await mkdtemp(join(tmpdir(), 'osbuild-latest-')), 'osbuild.db'));
    cleanups.push(async () => store.close());
    store.telemetry.put('pi-1', sample(1, 50), '2026-11-26T05:00:01.000Z');
    store.telemetry.put('pi-2', sample(1, 40), '2026-11-26T05:00:02.000Z');
    // Written by an older controller whose schema has since changed: read as no telemetry.
    store.db
      .prepare('INSERT INTO telemetry (node_id, at, received_at, data) VALUES (?, ?, ?, ?)')
      .run('pi-3', 'x', 'x', JSON.stringify({ v: 0 }));

    const cache = LatestTelemetry.seededFrom(store.telemetry);
    expect(cache.size).toBe(2);
    expect(cache.get('pi-1')).toEqual({ sample: sample(1, 50), receivedAt: '2026-11-26T05:00:01.000Z' });
    expect(cache.get('pi-3')).toBeNull();

    cache.record('pi-1', sample(2, 55), '2026-11-26T05:00:16.000Z');
    expect(cache.get('pi-1')?.sample.socTempC).toBe(55);
    expect(cache.get('pi-1')?.receivedAt).toBe('2026-11-26T05:00:16.000Z');

    cache.retainOnly(['pi-1']);
    expect(cache.get('pi-2')).toBeNull();
    expect(cache.size).toBe(1);
  });
});
