// Suite (c): offline detection latency. Enrolled, provisioned nodes run the real agent through a
// relay; the relay goes silent (cable pulled), closes the sockets (process crash: FIN, no MQTT
// DISCONNECT) or the agents stop cleanly. Measured: time from the cut until the controller's store
// says the node is offline (polled every 50 ms), which is how `nodes ls` and the metrics see it.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { forkChild } from './support/child.js';
import { openDbReader } from './support/db-reader.js';
import type { Row, SuiteResult } from './support/report.js';
import { sleep } from './support/sleep.js';
import { percentile, round } from './support/stats.js';
import { makeWorkspace, seedEnrolledNodes } from './support/workspace.js';

/** Options of the offline suite. */
export interface OfflineOptions {
  nodes: number[];
  keepaliveSec: number[];
  modes: string[];
}

const POLL_MS = 50;

async function waitOnline(read: () => Map<string, boolean>, ids: string[], timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const online = read();
    const up = ids.filter((id) => online.get(id)).length;
    if (up === ids.length) return;
    if (Date.now() - t0 > timeoutMs)
      throw new Error(`only ${up}/${ids.length} nodes online after ${timeoutMs} ms`);
    await sleep(200);
  }
}

/** Run every keepalive x mode combination for each fleet size. */
export async function offlineSuite(o: OfflineOptions): Promise<SuiteResult> {
  const rows: Row[] = [];
  for (const n of o.nodes) {
    const ws = await makeWorkspace('offline', n, { scripts: false });
    process.stderr.write(`offline ${n}: seeding ${n} enrolled nodes (scrypt, not timed)...\n`);
    const seeded = await seedEnrolledNodes(ws.dataDir, n);
    const ids = seeded.map((s) => s.nodeId);
    const sut = forkChild('controller-child.ts', 'controller');
    try {
      const { mqttUrl } = await sut.call<{ mqttUrl: string }>({
        type: 'start',
        mode: 'controller',
        dataDir: ws.dataDir,
        inventoryPath: ws.inventoryPath,
        bootstrapDir: ws.bootstrapDir,
        logFile: ws.logFile,
      });
      const db = openDbReader(join(ws.dataDir, 'osbuild.db'));
      for (const k of o.keepaliveSec) {
        for (const mode of o.modes) {
          const agents = forkChild('offline-agents-child.ts', `agents ka=${k}`);
          try {
            await agents.call({
              type: 'start',
              url: mqttUrl,
              caFile: join(ws.dataDir, 'tls', 'ca.pem'),
              nodes: seeded,
              keepaliveSec: k,
            });
            await waitOnline(() => db.online(), ids, 120_000);
            // Let the nodes' keepalive timers drift apart, as on a live fleet, before the cut.
            await sleep(Math.min(k, 5) * 1000);
            process.stderr.write(`offline ${n}: keepalive ${k} s, ${mode} cut\n`);
            const { cutAt } = await agents.call<{ cutAt: number }>({ type: 'cut', mode });
            const seen = new Map<string, number>();
            const deadline = cutAt + 3 * k * 1000 + 10_000;
            while (seen.size < n && Date.now() < deadline) {
              const online = db.online();
              const now = Date.now();
              for (const id of ids) if (!seen.has(id) && online.get(id) === false) seen.set(id, now - cutAt);
              await sleep(POLL_MS);
            }
            const xs = [...seen.values()].map((ms) => ms / 1000);
            rows.push({
              nodes: n,
              'keepalive (s)': k,
              cut: mode,
              'expected (s)': mode === 'silent' ? `<= ${1.5 * k} (1.5 x keepalive)` : 'at once',
              'marked offline': `${seen.size}/${n}`,
              'p50 (s)': round(percentile(xs, 50), 2),
              'p99 (s)': round(percentile(xs, 99), 2),
              'min (s)': round(xs.length ? Math.min(...xs) : Number.NaN, 2),
              'max (s)': round(xs.length ? Math.max(...xs) : Number.NaN, 2),
            });
          } finally {
            await agents.stop();
          }
        }
      }
      db.close();
    } finally {
      await sut.stop();
      await rm(ws.dir, { recursive: true, force: true });
    }
  }
  return {
    suite: 'offline',
    rows,
    notes: [
      `times from the cut to the node's online flag turning false in the controller's store, polled every ${POLL_MS} ms (resolution ${POLL_MS} ms)`,
      'silent: the relay stops forwarding (no FIN): Aedes drops the client after 1.5 x keepalive without a packet [MQTT-3.1.2-24] and publishes its retained will',
      'crash: the relay closes the controller-side sockets (FIN without DISCONNECT, as when the agent process dies): the will fires when the socket closes',
      'clean: agent stop (offline status, then DISCONNECT)',
    ],
  };
}
