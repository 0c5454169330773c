// Suite (a): telemetry load. N enrolled nodes, each on its own TLS connection with its own
// credential, publish real samples at the default interval; the controller (or a bare Aedes) runs
// in its own process and reports its CPU time, RSS and event-loop delay over a steady window.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KEEPALIVE_EXPIRED } from '../src/broker/embedded-broker.js';
import { forkChild } from './support/child.js';
import { openDbReader } from './support/db-reader.js';
import type { Row, SuiteResult } from './support/report.js';
import { sleep } from './support/sleep.js';
import { mib, round, summary } from './support/stats.js';
import { type ControllerUsage, cpuPercent } from './support/usage.js';
import { makeWorkspace, type SeededNode, seedEnrolledNodes } from './support/workspace.js';

/** Options of the telemetry suite. */
export interface TelemetryOptions {
  nodes: number[];
  intervalSec: number;
  /** Length of the measured window, in intervals. */
  windowIntervals: number;
  keepaliveSec: number;
  /** Also run the same load against a bare Aedes. */
  bare: boolean;
  /** Load-generator processes (default: one per 1,000 nodes). */
  loadShards?: number;
}

/** Default load processes for `n` nodes: one per 1,000, so no process holds more than that many TLS clients. */
export function defaultLoadShards(n: number): number {
  return Math.max(1, Math.ceil(n / 1000));
}

interface LoadCounts {
  published: number;
  publishErrors: number;
  closesBefore: number;
  closesDuring: number;
  closeReasons: Record<string, number>;
}

/** Lines of the system under test's log saying the broker dropped a silent client. */
async function keepaliveDrops(logFile: string): Promise<number> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.split('\n').filter((l) => l.includes(KEEPALIVE_EXPIRED)).length;
}

type Mode = 'controller' | 'bare';

async function runOne(
  mode: Mode,
  n: number,
  seeded: SeededNode[],
  ws: Awaited<ReturnType<typeof makeWorkspace>>,
  o: TelemetryOptions,
): Promise<Row> {
  const dataDir = mode === 'controller' ? ws.dataDir : join(ws.dir, 'bare-data');
  const sut = forkChild('controller-child.ts', mode);
  // Several load processes, as the storm suite shards its agents: one process holding thousands of
  // TLS clients on a loaded machine falls behind on its own keepalive pings, and the broker then
  // rightly drops clients that the controller never failed.
  const shards = Math.min(n, o.loadShards ?? defaultLoadShards(n));
  const loads = Array.from({ length: shards }, (_, s) =>
    forkChild('telemetry-load-child.ts', `load ${s + 1}/${shards}`),
  );
  const dropsBefore = await keepaliveDrops(ws.logFile);
  try {
    const { mqttUrl, httpUrl } = await sut.call<{ mqttUrl: string; httpUrl: string | null }>({
      type: 'start',
      mode,
      dataDir,
      inventoryPath: ws.inventoryPath,
      bootstrapDir: ws.bootstrapDir,
      logFile: ws.logFile,
    });
    const ca = await readFile(join(dataDir, 'tls', 'ca.pem'), 'utf8');
    const idle = await sut.call<ControllerUsage>({ type: 'usage' });
    process.stderr.write(`  ${mode}: connecting ${n} nodes over TLS...\n`);
    const parts = await Promise.all(
      loads.map((load, s) =>
        load.call<{ connected: number; failed: number; firstError: string | null; seconds: number }>(
          {
            type: 'connect',
            url: mqttUrl,
            ca,
            nodes: seeded.filter((_, i) => i % shards === s),
            keepaliveSec: o.keepaliveSec,
            concurrency: Math.ceil(100 / shards),
          },
          3_600_000,
        ),
      ),
    );
    const conn = {
      connected: parts.reduce((a, p) => a + p.connected, 0),
      failed: parts.reduce((a, p) => a + p.failed, 0),
      firstError: parts.find((p) => p.firstError)?.firstError ?? null,
      seconds: Math.max(...parts.map((p) => p.seconds)),
    };
    if (conn.failed > 0)
      process.stderr.write(`  ${mode}: ${conn.failed} nodes failed to connect, e.g. ${conn.firstError}\n`);
    const runs = await Promise.all(
      loads.map((load) => load.call<{ sampleBytes: number }>({ type: 'run', intervalSec: o.intervalSec })),
    );
    const sampleBytes = runs[0]?.sampleBytes ?? 0;
    // Warm-up: one full interval so every node has published once and greetings are settled.
    process.stderr.write(
      `  ${mode}: ${conn.connected} connected in ${conn.seconds.toFixed(1)} s; warm-up ${o.intervalSec + 5} s\n`,
    );
    await sleep((o.intervalSec + 5) * 1000);
    const db = mode === 'controller' ? openDbReader(join(dataDir, 'osbuild.db')) : null;
    const u0 = await sut.call<ControllerUsage>({ type: 'usage', resetLoopDelay: true });
    const t0 = Date.now();
    const windowMs = o.windowIntervals * o.intervalSec * 1000;
    process.stderr.write(`  ${mode}: measuring ${windowMs / 1000} s\n`);
    const lags = new Map<string, number>();
    // Prometheus' default: a scrape every 15 s, part of the controller's load.
    const scrapes: number[] = [];
    let scrapeBytes = 0;
    const scrape = async () => {
      if (!httpUrl) return;
      const s0 = performance.now();
      const res = await fetch(`${httpUrl}/metrics`);
      scrapeBytes = (await res.text()).length;
      if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
      scrapes.push(performance.now() - s0);
    };
    let nextScrape = t0;
    const poll = () => {
      for (const r of db?.telemetry() ?? [])
        if (r.atMs >= t0 && r.atMs < t0 + windowMs) lags.set(`${r.nodeId}@${r.atMs}`, r.receivedMs - r.atMs);
    };
    while (Date.now() < t0 + windowMs) {
      if (Date.now() >= nextScrape) {
        nextScrape += 15_000;
        await scrape();
      }
      await sleep(2_000);
      poll();
    }
    const u1 = await sut.call<ControllerUsage>({ type: 'usage' });
    const t1 = t0 + windowMs;
    await sleep(2_000);
    poll();
    db?.close();
    const each = await Promise.all(
      loads.map((load) => load.call<LoadCounts>({ type: 'counts', fromMs: t0, toMs: t1 })),
    );
    const closeReasons: Record<string, number> = {};
    for (const c of each)
      for (const [why, k] of Object.entries(c.closeReasons)) closeReasons[why] = (closeReasons[why] ?? 0) + k;
    const counts = {
      published: each.reduce((a, c) => a + c.published, 0),
      closesBefore: each.reduce((a, c) => a + c.closesBefore, 0),
      closesDuring: each.reduce((a, c) => a + c.closesDuring, 0),
    };
    // Who closed: mqtt.js reports its own keepalive timeout ("Keepalive timeout": the client gave
    // up on the broker); the broker logs the clients it dropped for silence.
    const lost = counts.closesBefore + counts.closesDuring;
    const byClient = closeReasons['Keepalive timeout'] ?? 0;
    const brokerDrops = (await keepaliveDrops(ws.logFile)) - dropsBefore;
    process.stderr.write(
      lost === 0
        ? `  ${mode}: no connection lost (${conn.connected} of ${n} connected until the end)\n`
        : `  ${mode}: ${lost} of ${conn.connected} connections LOST: ${byClient} by the load generator's keepalive timeout, ${brokerDrops} dropped by the broker's keepalive; all close reasons seen by the clients: ${JSON.stringify(closeReasons)}\n`,
    );
    const latencies =
      mode === 'controller'
        ? [...lags.values()]
        : await sut.call<number[]>({ type: 'bareLags', fromMs: t0, toMs: t1 });
    const lat = summary(latencies);
    return {
      broker: mode,
      nodes: n,
      connected: conn.connected,
      'connect (s)': round(conn.seconds),
      'sample (B)': sampleBytes,
      'window (s)': windowMs / 1000,
      published: counts.published,
      received: lat.n,
      'CPU (% of a core)': round(cpuPercent(u0, u1)),
      'RSS idle (MiB)': mib(idle.rssBytes),
      'RSS loaded (MiB)': mib(u1.rssBytes),
      'latency p50 (ms)': lat.p50,
      'latency p99 (ms)': lat.p99,
      'latency max (ms)': lat.max,
      'loop delay p99 (ms)': round(u1.loopDelayMs.p99),
      'loop delay max (ms)': round(u1.loopDelayMs.max),
      'load processes': shards,
      'closed before window': counts.closesBefore,
      'closed in window': counts.closesDuring,
      'closed by client keepalive': byClient,
      'dropped by broker keepalive': brokerDrops,
      'scrape max (ms)': scrapes.length ? round(Math.max(...scrapes)) : null,
      'scrape (KiB)': httpUrl ? round(scrapeBytes / 1024) : null,
    };
  } finally {
    await Promise.all(loads.map((load) => load.stop()));
    await sut.stop();
  }
}

/** Run the suite for each fleet size; with `bare`, add the bare-broker row and the ratios. */
export async function telemetrySuite(o: TelemetryOptions): Promise<SuiteResult> {
  const rows: Row[] = [];
  for (const n of o.nodes) {
    const ws = await makeWorkspace('telemetry', n, { scripts: false });
    try {
      process.stderr.write(`telemetry ${n}: seeding ${n} enrolled nodes (scrypt, not timed)...\n`);
      const seeded = await seedEnrolledNodes(ws.dataDir, n);
      const ctl = await runOne('controller', n, seeded, ws, o);
      rows.push(ctl);
      if (o.bare) {
        const bare = await runOne('bare', n, seeded, ws, o);
        rows.push(bare);
        const ratio = (k: string) => round(Number(ctl[k]) / Number(bare[k]), 2);
        rows.push({
          broker: 'ratio controller/bare',
          nodes: n,
          'CPU (% of a core)': ratio('CPU (% of a core)'),
          'RSS loaded (MiB)': ratio('RSS loaded (MiB)'),
          'latency p50 (ms)': ratio('latency p50 (ms)'),
          'latency p99 (ms)': ratio('latency p99 (ms)'),
        });
      }
    } finally {
      await rm(ws.dir, { recursive: true, force: true });
    }
  }
  return {
    suite: 'telemetry',
    rows,
    notes: [
      `interval ${o.intervalSec} s (agent schedule: interval boundary + random delay up to min(5 s, interval/2)), keepalive ${o.keepaliveSec} s, QoS 0, TLS, one connection and credential per node`,
      'controller latency: sample `at` (stamped by the load generator just before publish) -> `received_at` the controller stores with the sample (taken by the message router as it handles the message, before the schema parse and the SQLite write)',
      "bare latency: sample `at` -> Aedes 'publish' event in the broker process; bare Aedes accepts every login (no authentication cost), same TLS listener and certificate",
      'controller only: /metrics scraped every 15 s during the window (as Prometheus does by default); scrape time as seen by the client',
      'CPU and RSS are those of the broker/controller process only (the load generator is another process); CPU over the window, RSS at its end',
      'lost connections: closed before/in window as the load generator saw them; "closed by client keepalive" = mqtt.js gave up waiting for the broker (PINGRESP), "dropped by broker keepalive" = the broker heard nothing for 1.5 x keepalive (the load generator fell behind); the rest were closed by the broker for another reason or by the network',
    ],
  };
}
