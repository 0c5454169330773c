// Issue #14 item 3: one node could fill the disk. A cmd-result for an unknown id was stored whole
// in a result-ignored event, events were never deleted and nothing limited a node's rate: 80 MB
// from one node in 9 s. A real controller, two nodes enrolled as raw mqtt.js clients.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PROTOCOL_VERSION, type Telemetry, topics } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { helloFrom } from '../support/provisioner-harness.js';

const cleanups = useCleanups();

/** Bytes of the database and its write-ahead log. */
async function storeBytes(dataDir: string): Promise<number> {
  let total = 0;
  for (const name of ['osbuild.db', 'osbuild.db-wal']) {
    total += await stat(join(dataDir, name)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}

const sample = (seq: number): Telemetry => ({
  v: 1,
  seq,
  at: new Date().toISOString(),
  bootId: 'boot-1',
  bootSource: 'nvme',
  uptimeSec: 10,
  load: [0.1, 0.2, 0.3],
  cpuPercent: null,
  memory: { totalBytes: 1024, availableBytes: 512 },
  socTempC: 51.5,
  throttled: null,
  disks: [],
  net: [],
  services: { containerd: 'unknown', kubelet: 'unknown' },
  imageVersion: null,
  agentVersion: '0.1.0',
  nvme: null,
});

describe('one node flooding the controller', () => {
  it('stores a bounded amount, counts and logs the drops, and leaves RPCs and other nodes alone', async () => {
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const c = await startTestController(ws, { logger, options: { nodeDropLogWindowMs: 500 } });
    cleanups.push(() => c.stop());
    const rpc = await operator(c);
    cleanups.push(() => rpc.close());

    const floodId = 'pi-10000000000000a3';
    const { port: flooder } = await enrolRawNode(
      c,
      helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' }),
    );
    cleanups.push(() => flooder.close(true));
    const quietId = 'pi-10000000000000a2';
    const { port: quiet } = await enrolRawNode(
      c,
      helloFrom({ serial: '10000000000000a2', mac: 'dc:a6:32:00:00:0b' }),
    );
    cleanups.push(() => quiet.close(true));
    const before = await storeBytes(c.dataDir);

    // 3,000 results for ids nobody sent and 3,000 events of 8 KiB of output, every field at (not
    // past) its schema bound so the schema lets them through and the rates and quota must hold: 37 MB.
    const longId = `cmd-${'x'.repeat(110)}`;
    const text = 'y'.repeat(8 * 1024);
    const at = new Date().toISOString();
    for (let batch = 0; batch < 6; batch++) {
      const sends: Promise<unknown>[] = [];
      for (let i = batch * 500; i < (batch + 1) * 500; i++) {
        const result = {
          v: PROTOCOL_VERSION,
          id: `${longId}-${i}`,
          outcome: 'failed',
          exitCode: 1,
          error: 'e'.repeat(4_000),
          outputTail: '',
          startedAt: null,
          finishedAt: at,
        };
        sends.push(flooder.publish(topics.node(floodId, 'cmd-result'), JSON.stringify(result), { qos: 0 }));
        const event = {
          v: PROTOCOL_VERSION,
          seq: i,
          at,
          type: 'command-output',
          cmdId: longId,
          stream: 'stdout',
          text,
        };
        sends.push(flooder.publish(topics.node(floodId, 'events'), JSON.stringify(event), { qos: 0 }));
      }
      await Promise.all(sends);
    }

    // The flood is worked off once the store and the drop counts stop moving.
    let last = '';
    const stats = await waitFor(
      'the flood worked off',
      async () => {
        const s = await rpc.call('controller.stats', {});
        const now = JSON.stringify([await storeBytes(c.dataDir), s.nodeLimits?.byKind]);
        const settled = now === last;
        last = now;
        if (!settled) await new Promise((r) => setTimeout(r, 500));
        return settled && s;
      },
      90_000,
    );

    // The store grew by a bounded amount: at most the node's quota (1.25 MiB accounted) plus SQLite's
    // pages and WAL, not the 84 MB sent.
    const grown = (await storeBytes(c.dataDir)) - before;
    expect(grown).toBeLessThan(12 * 1024 * 1024);

    // Counted per node and kind; the quiet node dropped nothing.
    const limits = stats.nodeLimits;
    expect(limits?.byKind['cmd-result']).toBeGreaterThan(2_000);
    expect(limits?.byKind.events ?? 0).toBeGreaterThan(1_000);
    expect(limits?.byNode[floodId]?.['cmd-result']).toBe(limits?.byKind['cmd-result']);
    expect(limits?.byNode[quietId]).toBeUndefined();

    // What was stored of the ids is capped.
    const events = await rpc.call('events.list', { name: floodId, limit: 1000 });
    const ignored = events.filter((e) => e.type === 'result-ignored');
    expect(ignored.length).toBeGreaterThan(0);
    for (const e of ignored) expect(JSON.stringify(e.data).length).toBeLessThan(1_000);

    // One log line per node per window, with the count: the lines add up to the counters.
    const logged = () =>
      lines
        .map((l) => JSON.parse(l) as { msg: string; nodeId?: string; dropped?: Record<string, number> })
        .filter((l) => l.msg === 'node messages dropped over the per-node rate limit');
    await waitFor('the drops logged', async () => {
      const sum = logged()
        .filter((l) => l.nodeId === floodId)
        .reduce((n, l) => n + (l.dropped?.['cmd-result'] ?? 0), 0);
      return sum === limits?.byKind['cmd-result'];
    });
    expect(logged().length).toBeLessThan(40);
    expect(logged().every((l) => l.nodeId === floodId)).toBe(true);

    // The controller answers, and the other node's traffic goes through untouched.
    expect((await rpc.call('nodes.list', {})).length).toBeGreaterThanOrEqual(2);
    await quiet.publish(topics.node(quietId, 'telemetry'), JSON.stringify(sample(1)), { qos: 1 });
    const line = { v: PROTOCOL_VERSION, seq: 2, at, type: 'log', level: 'info', msg: 'quiet node says hi' };
    await quiet.publish(topics.node(quietId, 'events'), JSON.stringify(line), { qos: 1 });
    await waitFor('the quiet node stored', async () => {
      const d = await rpc.call('nodes.show', { name: quietId });
      const logs = await rpc.call('logs.get', { name: quietId });
      return d.telemetry?.socTempC === 51.5 && logs.some((l) => l.text === 'quiet node says hi');
    });
    expect((await rpc.call('controller.stats', {})).nodeLimits?.byNode[quietId]).toBeUndefined();
  }, 120_000);
});
