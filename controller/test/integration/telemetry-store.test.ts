import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Telemetry } from '@osbuild/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/store/store.js';

const sample = (seq: number, socTempC: number): Telemetry => ({
  v: 1,
  seq,
  at: `2026-11-25T10:00:0${seq}.000Z`,
  bootId: 'boot-1',
  bootSource: 'sd',
  uptimeSec: 10,
  load: [0.1, 0.2, 0.3],
  cpuPercent: null,
  memory: { totalBytes: 1024, availableBytes: 512 },
  socTempC,
  throttled: null,
  disks: [],
  net: [],
  services: { containerd: 'active', kubelet: 'unknown' },
  imageVersion: null,
  agentVersion: '0.1.0',
  nvme: null,
});

let store: Store | undefined;
afterEach(() => store?.close());

describe('telemetry store (real SQLite file)', () => {
  it('keeps one latest sample per node, survives a reopen, and lists all for metrics', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'osbuild-telemetry-')), 'controller.db');
    store = openStore(file);
    expect(store.telemetry.latest('pi-1')).toBeNull();
    store.telemetry.put('pi-1', sample(1, 50), '2026-11-25T10:00:01.100Z');
    store.telemetry.put('pi-1', sample(2, 51.5), '2026-11-25T10:00:02.100Z');
    store.telemetry.put('pi-2', sample(1, 40), '2026-11-25T10:00:01.200Z');
    store.close();
    store = openStore(file);
    expect(store.telemetry.latest('pi-1')).toEqual(sample(2, 51.5));
    expect([...store.telemetry.all().keys()].sort()).toEqual(['pi-1', 'pi-2']);
  });

  it('reads a row that no longer matches the schema as no telemetry', async () => {
    store = openStore(join(await mkdtemp(join(tmpdir(), 'osbuild-telemetry-')), 'controller.db'));
    store.db
      .prepare('INSERT INTO telemetry (node_id, at, received_at, data) VALUES (?, ?, ?, ?)')
      .run('pi-1', 'x', 'x', JSON.stringify({ v: 0 }));
    expect(store.telemetry.latest('pi-1')).toBeNull();
    expect(store.telemetry.all().size).toBe(0);
  });
});
