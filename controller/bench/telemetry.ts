// Suite (a): telemetry load. N enrolled nodes, each on its own TLS connection with its own
// credential, publish real samples at the default interval; the controller (or a bare Aedes) runs
// in its own process and reports its CPU time, RSS and event-loop delay over a steady window.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
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
  const load = forkChild('telemetry-load-child.ts', `load ${n}`);
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
    const conn = await load.call<{
      connected: number;
      failed: number;
      firstError: string | null;
      seconds: number;
    }>({ type: 'connect', url: mqttUrl, ca, nodes: seeded, keepaliveSec: o.keepaliveSec }, 1_800_000);
    if (conn.failed > 0)
      process.stderr.write(`  ${mode}: ${conn.failed} nodes failed to connect, e.g. ${conn.firstError}\n`);
    const { sampleBytes } = await load.call<{ sampleBytes: number }>({
      type: 'run',
      intervalSec: o.intervalSec,
    });
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
    const counts = await load.call<{
      published: number;
      publishErrors: number;
      closesBefore: number;
      closesDuring: number;
      closeReasons: Record<string, number>;
    }>({
      type: 'counts',
      fromMs: t0,
      toMs: t1,
    });
    if (counts.closesBefore + counts.closesDuring > 0)
      process.stderr.write(`  ${mode}: connections closed: ${JSON.stringify(counts.closeReasons)}\n`);
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
      'closed before window': counts.closesBefore,
      'closed in window': counts.closesDuring,
      'scrape max (ms)': scrapes.length ? round(Math.max(...scrapes)) : null,
      'scrape (KiB)': httpUrl ? round(scrapeBytes / 1024) : null,
    };
  } finally {
    await load.stop();
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
    ],
  };
}
