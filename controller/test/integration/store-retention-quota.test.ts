// Retention and the per-node quota on a real SQLite file, with an injected clock: what nodes leave
// in the store is deleted by age in batches, and a node past its quota loses its oldest rows first.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { CONTROLLER_DEFAULTS } from '../../src/server/controller-options.js';
import { type PrunedRows, storeRetentionJob } from '../../src/server/store-retention.js';
import type { NewCommandRecord } from '../../src/store/command-store.js';
import { LOG_TEXT_MAX_BYTES } from '../../src/store/input-caps.js';
import { DEFAULT_NODE_QUOTA, type NodeQuota } from '../../src/store/node-quota.js';
import { openStore, type Store } from '../../src/store/store.js';
import { helloOf, NODE_ID } from '../support/command-service-harness.js';
import { ManualClock } from '../support/provisioner-harness.js';

const DAY = 24 * 3600 * 1000;
const OTHER = 'pi-10000000000000a3';
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

function open(quota: NodeQuota = DEFAULT_NODE_QUOTA, file?: string) {
  const path = file ?? join(mkdtempSync(join(tmpdir(), 'osbuild-retention-')), 'osbuild.db');
  const store = openStore(path, { quota });
  stores.push(store);
  return { store, path };
}

const line = (nodeId: string, at: string, text: string) => ({
  node_id: nodeId,
  at,
  source: 'command' as const,
  cmd_id: 'cmd-1',
  stream: 'stdout',
  text,
});

const command = (id: string, state: NewCommandRecord['state'], at: string): NewCommandRecord => ({
  id,
  node_id: NODE_ID,
  action: 'reboot',
  idempotency_key: null,
  body: { type: 'reboot', timeoutSec: 60 },
  script: null,
  args: [],
  force: false,
  state,
  reason: 'test',
  created_by: 'operator:test',
  created_at: at,
  expires_at: at,
  timeout_sec: 60,
  deadline: null,
  sent_at: null,
  acked_at: null,
  finished_at: state === 'queued' ? null : at,
  boot_id_before: null,
  boot_id_after: null,
  run_id: null,
  exit_code: null,
});

/** What node_usage says, and what the tables really hold, per node. */
function accounting(store: Store, nodeId: string) {
  const real = store.db
    .prepare(
      `SELECT (SELECT count(*) FROM node_logs WHERE node_id = @n) AS logRows,
              (SELECT count(*) FROM events WHERE node_id = @n) AS eventRows`,
    )
    .get({ n: nodeId }) as { logRows: number; eventRows: number };
  return { real, usage: store.quota.usage(nodeId) };
}

describe('store retention', () => {
  it('deletes events, log lines and finished commands past their age, in batches, and keeps the rest', async () => {
    const clock = new ManualClock();
    // A quota large enough that only age deletes here.
    const { store } = open({ ...DEFAULT_NODE_QUOTA, eventBytes: 10 * 1024 * 1024 });
    store.nodes.recordHello(helloOf('boot-1'), clock.now().toISOString());
    const old = clock.now().toISOString();
    store.tx(() => {
      for (let i = 0; i < 2_500; i++) store.events.append(NODE_ID, 'phase', { i }, old);
      for (let i = 0; i < 1_200; i++) store.logs.append(line(NODE_ID, old, `old ${i}`));
      store.commands.insert(command('cmd-old-done', 'succeeded', old));
      store.commands.insert(command('cmd-old-queued', 'queued', old));
    });
    // A sample of a node removed since: nothing to show it for.
    store.telemetry.put(OTHER, { at: old } as never, old);
    clock.advance(20 * DAY);
    const recent = clock.now().toISOString();
    store.events.append(NODE_ID, 'phase', { recent: true }, recent);
    store.logs.append(line(NODE_ID, recent, 'recent'));
    store.commands.insert(command('cmd-recent-done', 'failed', recent));
    clock.advance(11 * DAY);

    const pruned: PrunedRows = new Map();
    let pauses = 0;
    const job = storeRetentionJob({
      retention: store.retention,
      policy: { ...CONTROLLER_DEFAULTS.retention, batchRows: 1_000 },
      clock,
      logger: pino({ level: 'silent' }),
      pruned,
      yieldToEventLoop: async () => void pauses++,
    });
    expect(job).toMatchObject({ name: 'store-retention', everyMs: 60_000 });
    await job.run();

    expect(store.events.forNode(NODE_ID, 10_000).map((e) => e.data)).toEqual(['{"recent":true}']);
    expect(store.logs.list(NODE_ID, 0, 10_000).map((l) => l.text)).toEqual(['recent']);
    expect(store.commands.get('cmd-old-done')).toBeUndefined();
    // A queued command is live state, however old; a recent finished one is history still kept.
    expect(store.commands.get('cmd-old-queued')?.state).toBe('queued');
    expect(store.commands.get('cmd-recent-done')?.state).toBe('failed');
    expect(store.telemetry.latestReceived(OTHER)).toBeNull();
    expect(Object.fromEntries(pruned)).toEqual({ events: 2_500, logs: 1_200, commands: 1, orphans: 1 });
    // Full batches yield to the event loop before the next: two for events, one for logs.
    expect(pauses).toBe(3);
    // The triggers kept the accounting in step with the deletes.
    expect(accounting(store, NODE_ID)).toMatchObject({
      real: { logRows: 1, eventRows: 1 },
      usage: { logRows: 1, eventRows: 1 },
    });
    // Nothing more to do on the next run.
    await job.run();
    expect(pruned.get('events')).toBe(2_500);
  });
});

describe('per-node quota', () => {
  const quota: NodeQuota = { logBytes: 40_000, logLines: 100, eventBytes: 20_000 };

  it('keeps each node within its line and byte limits by deleting its oldest rows first', () => {
    const { store } = open(quota);
    const at = new Date(0).toISOString();
    for (let i = 0; i < 1_000; i++)
      store.logs.append(line(NODE_ID, at, `line ${i} ${'x'.repeat(i % 2 ? 10 : 900)}`));
    for (let i = 0; i < 500; i++)
      store.events.append(NODE_ID, 'result-ignored', { cmdId: `cmd-${i}`, pad: 'p'.repeat(200) }, at);
    // Another node, within its quota, keeps everything.
    for (let i = 0; i < 50; i++) store.logs.append(line(OTHER, at, `other ${i}`));

    const { real, usage } = accounting(store, NODE_ID);
    expect(usage?.logRows).toBe(real.logRows);
    expect(usage?.eventRows).toBe(real.eventRows);
    expect(real.logRows).toBeLessThanOrEqual(quota.logLines);
    expect(usage?.logBytes).toBeLessThanOrEqual(quota.logBytes);
    expect(usage?.eventBytes).toBeLessThanOrEqual(quota.eventBytes);
    // The newest rows are the ones kept.
    const logs = store.logs.list(NODE_ID, 0, 10_000);
    expect(logs.at(-1)?.text).toMatch(/^line 999 /);
    expect(logs[0]?.text).not.toMatch(/^line [0-9] /);
    expect(JSON.parse(store.events.forNode(NODE_ID, 1)[0]?.data ?? '{}')).toMatchObject({ cmdId: 'cmd-499' });
    expect(store.quota.deleted()).toEqual({ logs: 1_000 - real.logRows, events: 500 - real.eventRows });
    expect(accounting(store, OTHER).real.logRows).toBe(50);
  });

  it('accounts for rows stored before the quota existed when an old store is opened', () => {
    const { store, path } = open(quota);
    const at = new Date(0).toISOString();
    for (let i = 0; i < 30; i++) store.logs.append(line(NODE_ID, at, `line ${i}`));
    for (let i = 0; i < 20; i++) store.events.append(NODE_ID, 'phase', { i }, at);
    const before = store.quota.usage(NODE_ID);
    // Back to the schema before node_usage: the migration must count what is already there.
    store.db.exec(`DROP TRIGGER node_logs_usage_insert; DROP TRIGGER node_logs_usage_delete;
      DROP TRIGGER events_usage_insert; DROP TRIGGER events_usage_delete; DROP TABLE node_usage;`);
    store.db.pragma('user_version = 4');
    stores.pop()?.close();
    const reopened = open(quota, path).store;
    expect(reopened.quota.usage(NODE_ID)).toEqual(before);
    expect(before).toMatchObject({ logRows: 30, eventRows: 20 });
  });
});

describe('caps on what nodes leave in a row', () => {
  it('stores a capped id for a result nobody owns and a capped line of output', () => {
    const { store } = open();
    const at = new Date(0).toISOString();
    store.events.append(
      NODE_ID,
      'result-ignored',
      { cmdId: `cmd-${'x'.repeat(100_000)}`, why: 'unknown command' },
      at,
    );
    const [event] = store.events.forNode(NODE_ID, 1);
    expect(event?.data.length).toBeLessThan(400);
    expect(JSON.parse(event?.data ?? '{}')).toMatchObject({ why: 'unknown command' });
    // Data that is still too big after the strings are capped becomes a note saying so.
    store.events.append(
      NODE_ID,
      'discovered',
      { list: Array.from({ length: 500 }, (_, i) => `mac-${i}`) },
      at,
    );
    expect(JSON.parse(store.events.forNode(NODE_ID, 1)[0]?.data ?? '{}')).toMatchObject({ keys: ['list'] });

    store.logs.append({ ...line(NODE_ID, at, 'z'.repeat(200_000)), cmd_id: 'c'.repeat(10_000) });
    const [stored] = store.logs.list(NODE_ID, 0, 1);
    expect(Buffer.byteLength(stored?.text ?? '')).toBeLessThan(LOG_TEXT_MAX_BYTES + 64);
    expect(stored?.cmd_id?.length).toBeLessThan(200);
  });
});
