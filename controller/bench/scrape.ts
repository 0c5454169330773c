// scrape suite: what one /metrics scrape and one pass of the condition checks cost the event loop
// at N nodes, each with a synthetic telemetry sample, read two ways: the way the controller did
// before (one SQLite row per node, parsed with zod, at every scrape) and the way it does now
// (LatestTelemetry, the parsed samples in memory). In-process, real SQLite file; no broker.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { deriveNodeId, telemetrySchema } from '@osbuild/shared';
import { ConditionEvents } from '../src/health/condition-events.js';
import { DEFAULT_HEALTH, evaluateConditions } from '../src/health/conditions.js';
import { systemClock } from '../src/host/clock.js';
import { ControllerMetrics } from '../src/metrics/controller-metrics.js';
import type { MetricsSources } from '../src/metrics/metrics-sources.js';
import { nodeMetricsViews, telemetryGauges } from '../src/metrics/store-sources.js';
import { boardIdentity } from '../src/sim/synthetic-host.js';
import type { NodeBrief } from '../src/store/node-store.js';
import { openStore, type Store } from '../src/store/store.js';
import type { ReceivedSample } from '../src/telemetry/latest-telemetry.js';
import { LatestTelemetry } from '../src/telemetry/latest-telemetry.js';
import type { Row, SuiteResult } from './support/report.js';
import { collectTemplate } from './support/sample-template.js';
import { round, summary } from './support/stats.js';
import { syntheticHello } from './support/workspace.js';

/** Options of {@link scrapeSuite}. */
export interface ScrapeOptions {
  nodes: number[];
  /** Timed repetitions of each measurement. */
  repeat: number;
}

type Latest = (nodeId: string) => ReceivedSample | null;

function sources(store: Store, latest: Latest): MetricsSources {
  return {
    nodes: () => nodeMetricsViews(store.nodes.listBrief()),
    connectedClients: () => 0,
    rejected: () => ({}),
    loginFailures: () => 0,
    telemetry: (nodeId) => {
      const t = latest(nodeId);
      return t ? telemetryGauges(t.sample) : null;
    },
  };
}

async function seed(store: Store, n: number): Promise<void> {
  const template = await collectTemplate();
  const now = new Date().toISOString();
  store.tx(() => {
    for (let i = 0; i < n; i++) {
      const b = boardIdentity(i);
      const nodeId = deriveNodeId(b.serial, b.mac);
      store.nodes.recordHello(syntheticHello(i), now);
      store.nodes.bind(nodeId, {
        hostname: b.hostname,
        role: i === 0 ? 'control-plane' : 'worker',
        ip: b.ip,
      });
      store.nodes.setPhase(nodeId, 'provisioned', 'seeded by the benchmark', now);
      store.nodes.setOnline(nodeId, true, now);
      // Temperatures and disk use vary per node, so no two series share a value by accident.
      const sample = telemetrySchema.parse({ ...template, at: now, socTempC: 40 + (i % 300) / 10 });
      store.telemetry.put(nodeId, sample, now);
    }
  });
}

/** Wall and CPU milliseconds of each run: on a shared machine the CPU time is the steadier figure. */
async function timed(repeat: number, fn: () => unknown): Promise<{ wall: number[]; cpu: number[] }> {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { wall, cpu };
}

async function measure(n: number, repeat: number, progress: (s: string) => void): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-bench-scrape-'));
  const store = openStore(join(dir, 'osbuild.db'));
  try {
    progress(`scrape: seeding ${n} nodes with telemetry`);
    await seed(store, n);
    const seedStart = performance.now();
    const cache = LatestTelemetry.seededFrom(store.telemetry);
    const seedMs = performance.now() - seedStart;
    const ways: Array<{ how: string; latest: Latest; seedMs: number | null }> = [
      {
        how: 'before: SQLite row + zod per node',
        latest: (id) => store.telemetry.latestReceived(id),
        seedMs: null,
      },
      { how: 'after: LatestTelemetry (memory)', latest: (id) => cache.get(id), seedMs },
    ];
    const rows: Row[] = [];
    const bodies: string[] = [];
    for (const way of ways) {
      progress(`scrape: ${n} nodes, ${way.how}`);
      const metrics = new ControllerMetrics(sources(store, way.latest), { processMetrics: false });
      const body = await metrics.metricsText();
      bodies.push(body);
      const scrapeRuns = await timed(repeat, () => metrics.metricsText());
      const scrape = summary(scrapeRuns.wall);
      const scrapeCpu = summary(scrapeRuns.cpu);
      const conditions = new ConditionEvents(
        store,
        (node: NodeBrief) =>
          evaluateConditions(
            { phase: node.phase, online: node.online },
            way.latest(node.node_id),
            systemClock.now(),
            DEFAULT_HEALTH,
          ),
        systemClock,
      );
      conditions.checkAll(); // the first pass writes whatever holds; later passes find no change
      const passRuns = await timed(repeat, () => conditions.checkAll());
      const pass = summary(passRuns.wall);
      const passCpu = summary(passRuns.cpu);
      rows.push({
        nodes: n,
        'telemetry read': way.how,
        'scrape p50 (ms)': scrape.p50,
        'scrape max (ms)': scrape.max,
        'scrape CPU p50 (ms)': scrapeCpu.p50,
        'body (KiB)': round(Buffer.byteLength(body) / 1024),
        'condition pass p50 (ms)': pass.p50,
        'condition pass max (ms)': pass.max,
        'condition pass CPU p50 (ms)': passCpu.p50,
        'seed at start-up (ms)': way.seedMs === null ? null : round(way.seedMs),
      });
    }
    if (bodies[0] !== bodies[1]) throw new Error('the two ways rendered different exposition bodies');
    return rows;
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Scrape and condition-check cost at each size, before and after the in-memory telemetry. */
export async function scrapeSuite(opts: ScrapeOptions): Promise<SuiteResult> {
  const progress = (s: string) => process.stderr.write(`${s}\n`);
  const rows: Row[] = [];
  for (const n of opts.nodes) rows.push(...(await measure(n, opts.repeat, progress)));
  return {
    suite: 'scrape',
    rows,
    notes: [
      `${opts.repeat} timed runs of each (wall and process CPU time); both ways rendered byte-identical bodies (checked)`,
      "the before row reads telemetry the old way on today's store (node list and condition pass already cheaper); the full old figures are in docs/performance.md",
      'a scrape and a condition pass are synchronous: their time is event-loop time the broker does not get',
    ],
  };
}
