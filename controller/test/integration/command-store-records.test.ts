// The command repository hands out records, not rows: parsed body and args, a boolean force, and
// a corrupt row is an error rather than a guess. Real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import type { NewCommandRecord } from '../../src/store/command-store.js';
import type { Store } from '../../src/store/store.js';
import { NODE_ID, storeWithNode } from '../support/command-service-harness.js';
import { ManualClock } from '../support/provisioner-harness.js';

let store: Store | undefined;
afterEach(() => store?.close());

const record = (id: string, state: NewCommandRecord['state']): NewCommandRecord => ({
  id,
  node_id: NODE_ID,
  action: 'run',
  idempotency_key: null,
  body: {
    type: 'run-script',
    repo: 'http://127.0.0.1:1/bootstrap.git',
    commit: 'c'.repeat(40),
    script: 'scripts/probe.sh',
    args: ['--since', '1h'],
    timeoutSec: 900,
  },
  script: 'scripts/probe.sh',
  args: ['--since', '1h'],
  force: true,
  state,
  reason: 'test',
  created_by: 'operator:test',
  created_at: '2026-11-25T12:00:00.000Z',
  expires_at: '2026-11-25T13:00:00.000Z',
  timeout_sec: 900,
  deadline: state === 'queued' ? null : '2026-11-25T12:15:00.000Z',
  sent_at: null,
  acked_at: null,
  finished_at: null,
  boot_id_before: null,
  boot_id_after: null,
  run_id: null,
  exit_code: null,
});

describe('command records (real SQLite file)', () => {
  it('stores JSON and 0/1 but returns the parsed body, args and a boolean force', () => {
    store = storeWithNode('provisioned', new ManualClock()).store;
    store.commands.insert(record('cmd-records-1', 'queued'));
    const raw = store.db.prepare('SELECT body, args, force FROM commands WHERE id = ?').get('cmd-records-1');
    expect(raw).toMatchObject({ args: '["--since","1h"]', force: 1 });
    const got = store.commands.get('cmd-records-1');
    expect(got).toMatchObject({
      body: { type: 'run-script', script: 'scripts/probe.sh', args: ['--since', '1h'] },
      args: ['--since', '1h'],
      force: true,
      deliveries: 0,
      output_tail: '',
    });
  });

  it('refuses a row whose body no longer matches the protocol', () => {
    store = storeWithNode('provisioned', new ManualClock()).store;
    store.commands.insert(record('cmd-records-2', 'queued'));
    store.db.prepare(`UPDATE commands SET body = '{"type":"format-disk"}' WHERE id = ?`).run('cmd-records-2');
    expect(() => store?.commands.get('cmd-records-2')).toThrow();
  });

  it('counts preparations as live: listed, and given a grace period after a restart', () => {
    store = storeWithNode('provisioned', new ManualClock()).store;
    for (const [i, state] of (
      ['draining', 'resetting', 'power-cycling', 'sent', 'succeeded'] as const
    ).entries()) {
      store.commands.insert(record(`cmd-live-${i}`, state));
    }
    expect(store.commands.live(NODE_ID).map((c) => c.state)).toEqual([
      'draining',
      'resetting',
      'power-cycling',
      'sent',
    ]);
    expect(store.commands.extendDeadlines('2026-11-25T12:30:00.000Z')).toBe(4);
  });
});
