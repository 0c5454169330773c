// Suite (b): boot storm. N boards power on within `spread` seconds and go through first boot for
// real: claim with the image's claim secret, credential welcome, login with it, hello, plan. The
// controller runs in its own process; the agents (simulator fleet, real agent session code) in a
// few shard processes. Per-node times come from the controller's event log and the shards' start
// times (one machine, one clock).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type BenchChild, forkChild } from './support/child.js';
import { openDbReader } from './support/db-reader.js';
import type { Row, SuiteResult } from './support/report.js';
import { sleep } from './support/sleep.js';
import { mib, percentile, round } from './support/stats.js';
import { type ControllerUsage, cpuPercent } from './support/usage.js';
import { makeWorkspace } from './support/workspace.js';

/** Options of the storm suite. */
export interface StormOptions {
  nodes: number[];
  spreadSec: number;
  shards: number;
}

const TIMEOUT_MS = 20 * 60_000;

async function stormOnce(n: number, o: StormOptions): Promise<Row> {
  const ws = await makeWorkspace('storm', n, { scripts: false });
  const sut = forkChild('controller-child.ts', 'controller');
  const shards: BenchChild[] = [];
  try {
    const { mqttUrl } = await sut.call<{ mqttUrl: string }>({
      type: 'start',
      mode: 'controller',
      dataDir: ws.dataDir,
      inventoryPath: ws.inventoryPath,
      bootstrapDir: ws.bootstrapDir,
      logFile: ws.logFile,
    });
    const claimSecret = (await readFile(join(ws.dataDir, 'claim.secret'), 'utf8')).trim();
    const k = Math.min(o.shards, n);
    for (let s = 0; s < k; s++) shards.push(forkChild('storm-shard-child.ts', `shard ${s}`));
    // Let the shard processes load their code before the clock starts.
    await Promise.all(shards.map((c) => c.call({ type: 'stats' })));
    const db = openDbReader(join(ws.dataDir, 'osbuild.db'));
    const u0 = await sut.call<ControllerUsage>({ type: 'usage', resetLoopDelay: true });
    process.stderr.write(`storm ${n}: starting ${n} agents over ${o.spreadSec} s in ${k} shard processes\n`);
    const per = Math.ceil(n / k);
    const started = shards.map((c, s) =>
      c.call<{ startedAt: number[]; nodeIds: string[] }>({
        type: 'start',
        url: mqttUrl,
        caFile: join(ws.dataDir, 'tls', 'ca.pem'),
        claimSecret,
        from: s * per,
        nodes: Math.min(per, n - s * per),
        spreadMs: o.spreadSec * 1000,
      }),
    );
    const t0 = Date.now();
    let peakRss = u0.rssBytes;
    let counts: Record<string, number> = {};
    let lastPrint = t0;
    for (;;) {
      await sleep(500);
      counts = db.phaseCounts();
      const u = await sut.call<ControllerUsage>({ type: 'usage' });
      peakRss = Math.max(peakRss, u.rssBytes);
      if ((counts.provisioned ?? 0) >= n || (counts.failed ?? 0) > 0) break;
      if (Date.now() - lastPrint > 5_000) {
        process.stderr.write(
          `  ${JSON.stringify(counts)} after ${((Date.now() - t0) / 1000).toFixed(0)} s\n`,
        );
        lastPrint = Date.now();
      }
      if (Date.now() - t0 > TIMEOUT_MS) break;
    }
    const u1 = await sut.call<ControllerUsage>({ type: 'usage' });
    const starts = await Promise.all(started);
    const startOf = new Map<string, number>();
    for (const s of starts) {
      for (const [i, id] of s.nodeIds.entries()) startOf.set(id, s.startedAt[i] as number);
    }
    const firstStart = Math.min(...startOf.values());
    const events = db.events(['discovered', 'credential-issued', 'step-dispatched', 'phase']);
    const provisionedAt = new Map<string, number>();
    const claimAt = new Map<string, number>();
    const credentialAt = new Map<string, number>();
    const firstStepAt = new Map<string, number>();
    for (const e of events) {
      const d = JSON.parse(e.data) as { index?: number; to?: string };
      if (e.type === 'discovered' && !claimAt.has(e.nodeId)) claimAt.set(e.nodeId, e.atMs);
      if (e.type === 'credential-issued' && !credentialAt.has(e.nodeId)) credentialAt.set(e.nodeId, e.atMs);
      if (e.type === 'step-dispatched' && d.index === 0 && !firstStepAt.has(e.nodeId))
        firstStepAt.set(e.nodeId, e.atMs);
      if (e.type === 'phase' && d.to === 'provisioned') provisionedAt.set(e.nodeId, e.atMs);
    }
    db.close();
    const since = (m: Map<string, number>, from: Map<string, number>) =>
      [...m].flatMap(([id, t]) => (from.has(id) ? [(t - (from.get(id) as number)) / 1000] : []));
    const p = (xs: number[]) => `${round(percentile(xs, 50), 2)} / ${round(percentile(xs, 99), 2)}`;
    const agentStats = await Promise.all(
      shards.map((c) => c.call<{ reconnects: number; rejectedMessages: number }>({ type: 'stats' })),
    );
    const lastProvisioned = provisionedAt.size ? Math.max(...provisionedAt.values()) : Number.NaN;
    const done = (counts.provisioned ?? 0) >= n;
    return {
      nodes: n,
      'spread (s)': o.spreadSec,
      shards: k,
      provisioned: counts.provisioned ?? 0,
      failed: counts.failed ?? 0,
      'all provisioned after (s)': done
        ? round((lastProvisioned - firstStart) / 1000, 1)
        : `not within ${TIMEOUT_MS / 60_000} min`,
      'start→claim seen p50/p99 (s)': p(since(claimAt, startOf)),
      'claim→credential p50/p99 (s)': p(since(credentialAt, claimAt)),
      'start→first step p50/p99 (s)': p(since(firstStepAt, startOf)),
      'start→provisioned p50/p99 (s)': p(since(provisionedAt, startOf)),
      'controller CPU (% of a core)': round(cpuPercent(u0, u1)),
      'controller RSS peak (MiB)': mib(peakRss),
      'loop delay max (ms)': round(u1.loopDelayMs.max),
      'agent reconnects': agentStats.reduce((s, x) => s + x.reconnects, 0),
    };
  } finally {
    await Promise.all(shards.map((c) => c.stop()));
    await sut.stop();
    await rm(ws.dir, { recursive: true, force: true });
  }
}

/** Run the suite for each fleet size. */
export async function stormSuite(o: StormOptions): Promise<SuiteResult> {
  const rows: Row[] = [];
  for (const n of o.nodes) rows.push(await stormOnce(n, o));
  return {
    suite: 'storm',
    rows,
    notes: [
      'first boot for real: claim (claim secret, scrypt verified once and cached) -> credential hashed on the libuv pool, then issued in the claim transaction -> login with it (verified at issuance, no scrypt) -> hello -> plan',
      'plan: set-hostname, configure-network, mark-provisioned (inventory with `bootstrap.scripts: []`: no git fetch, no bash per node)',
      'start = the shard calls startAgent (the agent claims within milliseconds); claim seen / credential / first step / provisioned = controller event times (discovered, credential-issued, step-dispatched #0, phase provisioned)',
      'controller CPU over the whole storm (first start to last provisioned); loop delay of the controller process',
    ],
  };
}
