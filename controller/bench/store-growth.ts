// store-growth suite: how big the store gets when every node sends as much as its per-node rate
// limits let through, for a simulated period. Each node, each simulated second, publishes up to
// its limit of every kind, shaped to leave the most in the store: hellos with a new boot id
// (a `rebooted` event each), cmd-results for ids nobody sent (a `result-ignored` event each, with a
// long id), command output sized so the events and log-bytes limits run out together, telemetry
// and status. Messages go through the real message router (parsing, the rate limits, the
// provisioner, log ingestion, the store's caps and quota) on a real SQLite file, with a simulated
// clock. No broker. The worst-case size of a fleet is the per-node size times the nodes.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { PROTOCOL_VERSION, type Telemetry, telemetrySchema, topics } from '@osbuild/shared';
import pino from 'pino';
import { NodePhases } from '../src/lifecycle/node-phase.js';
import { NodeLogIngest } from '../src/logs/node-log-ingest.js';
import { Provisioner } from '../src/provisioning/provisioner.js';
import type { Handlers } from '../src/rpc/handlers.js';
import { CONTROLLER_DEFAULTS } from '../src/server/controller-options.js';
import { makeMessageRouter } from '../src/server/message-router.js';
import { NodeRateLimits } from '../src/server/node-rate-limits.js';
import { RejectedMessages } from '../src/server/rejected-messages.js';
import { makeResultRouter } from '../src/server/result-router.js';
import { openStore } from '../src/store/store.js';
import type { InboundMessage } from '../src/transport/mqtt.js';
import type { Row, SuiteResult } from './support/report.js';
import { collectTemplate } from './support/sample-template.js';
import { round } from './support/stats.js';
import { syntheticHello } from './support/workspace.js';

/** Options of {@link storeGrowthSuite}. */
export interface StoreGrowthOptions {
  nodes: number[];
  /** Simulated seconds of flooding. */
  seconds: number;
  /** The fleet size the per-node figure is multiplied up to. */
  fleet: number;
}

const MIB = 1024 * 1024;

async function fileBytes(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

async function measure(n: number, o: StoreGrowthOptions, progress: (s: string) => void): Promise<Row> {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-bench-growth-'));
  const file = join(dir, 'osbuild.db');
  const limits = CONTROLLER_DEFAULTS.nodeRateLimits;
  const quota = CONTROLLER_DEFAULTS.nodeQuota;
  const store = openStore(file, { quota });
  let t = Date.parse('2026-12-01T00:00:00Z');
  const clock = { now: () => new Date(t) };
  const logger = pino({ level: 'silent' });
  try {
    const template = telemetrySchema.parse(await collectTemplate());
    const hellos = Array.from({ length: n }, (_, i) => syntheticHello(i));
    const ids = hellos.map((h) => h.identity.nodeId);
    const seededAt = clock.now().toISOString();
    store.tx(() => {
      for (const h of hellos) store.nodes.recordHello(h, seededAt);
    });
    const rates = new NodeRateLimits({ limits, clock, logger, logWindowMs: 60_000 });
    const provisioner = new Provisioner({
      store,
      phases: new NodePhases({ records: store, clock, logger }),
      clock,
      logger,
      // No inventory: every node stays pending, as an unknown board flooding would.
      inventory: () => ({ cluster: { name: 'bench' }, defaults: { labels: {} }, nodes: [] }) as never,
      bootstrap: () => null,
      retry: CONTROLLER_DEFAULTS.retry,
      deadlineGraceMs: CONTROLLER_DEFAULTS.deadlineGraceMs,
      newRunId: () => 'run-bench',
      sendCommand: () => undefined,
      sendWelcome: () => undefined,
      audit: () => undefined,
    });
    const nodeLogs = new NodeLogIngest({ store, clock });
    // The same wiring as server/controller-middle.ts, minus the owners (no id here is known).
    const route = makeMessageRouter({
      store,
      provisioner,
      handlers: {} as Handlers,
      respond: () => undefined,
      clock,
      logger,
      rejections: new RejectedMessages({ logger, clock }),
      admitNodeMessage: (nodeId, kind) => rates.admitMessage(nodeId, kind),
      nodeLogs: {
        onNodeEvent: (nodeId, event) => {
          if (rates.admitLogEvent(nodeId, event)) nodeLogs.onNodeEvent(nodeId, event);
        },
      },
      routeReport: makeResultRouter({
        owners: {},
        ignored: (nodeId, result) =>
          store.events.append(
            nodeId,
            'result-ignored',
            { cmdId: result.id, why: 'unknown command' },
            clock.now().toISOString(),
          ),
      }),
    });
    const send = (nodeId: string, kind: Parameters<typeof topics.node>[1], body: unknown) => {
      const msg: InboundMessage = {
        topic: topics.node(nodeId, kind),
        payload: Buffer.from(JSON.stringify(body)),
        retain: false,
      };
      route(msg);
    };
    // Output text sized so the events and log-bytes limits run out in the same second.
    const text = 'o'.repeat(Math.floor(limits['log-bytes'].perSecond / limits.events.perSecond));
    const longId = `cmd-${'i'.repeat(2_000)}`;
    let sent = 0;
    const started = performance.now();
    for (let s = 0; s <= o.seconds; s++) {
      // The first second spends the whole burst; later ones the rate.
      const count = (k: keyof typeof limits) =>
        s === 0
          ? limits[k].burst
          : Math.floor(limits[k].perSecond * (s + 1)) - Math.floor(limits[k].perSecond * s);
      const at = clock.now().toISOString();
      store.tx(() => {
        for (const [i, nodeId] of ids.entries()) {
          const hello = hellos[i];
          if (!hello) continue;
          for (let k = 0; k < count('hello'); k++, sent++)
            send(nodeId, 'hello', { ...hello, identity: { ...hello.identity, bootId: `boot-${s}-${k}` } });
          for (let k = 0; k < count('status'); k++, sent++)
            send(nodeId, 'status', { v: PROTOCOL_VERSION, online: true, at });
          for (let k = 0; k < count('telemetry'); k++, sent++) {
            const sample: Telemetry = { ...template, at, seq: s };
            send(nodeId, 'telemetry', sample);
          }
          for (let k = 0; k < count('cmd-result'); k++, sent++)
            send(nodeId, 'cmd-result', {
              v: PROTOCOL_VERSION,
              id: `${longId}-${s}-${k}`,
              outcome: 'failed',
              exitCode: 1,
              error: 'no such command',
              outputTail: '',
              startedAt: null,
              finishedAt: at,
            });
          for (let k = 0; k < count('events'); k++, sent++)
            send(nodeId, 'events', {
              v: PROTOCOL_VERSION,
              seq: k,
              at,
              type: 'command-output',
              cmdId: longId,
              stream: 'stdout',
              text,
            });
        }
      });
      t += 1000;
      if (s % 10 === 0) progress(`store-growth: ${n} nodes, ${s}/${o.seconds} simulated seconds`);
    }
    const wallSec = (performance.now() - started) / 1000;
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    const totals = store.quota.totals();
    const dbBytes = store.retention.sizeBytes();
    const onDisk = (await fileBytes(file)) + (await fileBytes(`${file}-wal`));
    const dropped = Object.values(rates.dropped().byKind).reduce((a, b) => a + b, 0);
    const perNode = dbBytes / n;
    return {
      nodes: n,
      'simulated s': o.seconds,
      'messages sent': sent,
      'dropped (rate)': dropped,
      'deleted (quota)': Object.values(store.quota.deleted()).reduce((a, b) => a + b, 0),
      'log rows': totals.logRows,
      'event rows': totals.eventRows,
      'accounted (MiB)': round((totals.logBytes + totals.eventBytes) / MIB),
      'db file (MiB)': round(dbBytes / MIB),
      'on disk incl. WAL (MiB)': round(onDisk / MIB),
      'db per node (KiB)': round(perNode / 1024),
      [`x ${o.fleet} nodes (GiB)`]: round((perNode * o.fleet) / 1024 / MIB),
      'wall (s)': round(wallSec),
    };
  } finally {
    store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Run the suite at each node count. */
export async function storeGrowthSuite(o: StoreGrowthOptions): Promise<SuiteResult> {
  const progress = (s: string) => process.stderr.write(`${s}\n`);
  const rows: Row[] = [];
  for (const n of o.nodes) rows.push(await measure(n, o, progress));
  const q = CONTROLLER_DEFAULTS.nodeQuota;
  return {
    suite: 'store-growth',
    rows,
    notes: [
      `default limits (controller-options.ts): node quota ${q.logBytes / 1024} KiB / ${q.logLines} lines of logs and ${q.eventBytes / 1024} KiB of events, accounted with 128 bytes per row`,
      'every node sends at its rate limits with payloads shaped to store the most; db file = SQLite pages after a WAL checkpoint',
      `the last column multiplies the per-node size up to ${o.fleet} nodes: each node is bounded by its own quota, so size grows linearly with nodes`,
      'retention (30 days) does not act within the simulated period; telemetry keeps one row per node',
    ],
  };
}
