import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { updateBootState } from '../../src/journal/boot-state.js';
import { Journal, type JournalEntry } from '../../src/journal/journal.js';
import { resolveInterrupted } from '../../src/journal/resolve.js';

const now = () => new Date('2026-11-25T12:00:00.000Z');
const started = (id: string, kind: JournalEntry['kind'], bootId: string): JournalEntry => ({
  id,
  runId: 'run-1',
  index: 0,
  kind,
  state: 'started',
  bootId,
  startedAt: '2026-11-25T11:00:00.000Z',
  reported: false,
});

async function journal(): Promise<Journal> {
  return new Journal(path.join(await mkdtemp(path.join(tmpdir(), 'osbuild-journal-')), 'journal'));
}

describe('journal resolution after a restart', () => {
  it('a reboot step whose boot id changed succeeded', async () => {
    const j = await journal();
    await j.put(started('cmd-reboot-1', 'reboot', 'boot-old'));
    await resolveInterrupted(j, 'boot-new', now);
    const e = await j.get('cmd-reboot-1');
    expect(e).toMatchObject({
      state: 'finished',
      reported: false,
      result: { outcome: 'succeeded', error: null },
    });
  });

  it('a reboot step on the same boot (agent crash) is interrupted', async () => {
    const j = await journal();
    await j.put(started('cmd-reboot-2', 'reboot', 'boot-1'));
    await resolveInterrupted(j, 'boot-1', now);
    expect((await j.get('cmd-reboot-2'))?.result).toMatchObject({
      outcome: 'interrupted',
      error: 'the agent restarted while the command ran',
    });
  });

  it('any other step is interrupted, naming a node restart when the boot id changed', async () => {
    const j = await journal();
    await j.put(started('cmd-script-1', 'run-script', 'boot-old'));
    const resolved = await resolveInterrupted(j, 'boot-new', now);
    expect(resolved).toHaveLength(1);
    expect((await j.get('cmd-script-1'))?.result).toMatchObject({
      id: 'cmd-script-1',
      outcome: 'interrupted',
      exitCode: null,
      error: 'the node restarted while the command ran',
      startedAt: '2026-11-25T11:00:00.000Z',
      finishedAt: '2026-11-25T12:00:00.000Z',
    });
    expect(await j.unreported()).toHaveLength(1);
  });

  it('leaves finished entries alone and is idempotent', async () => {
    const j = await journal();
    await j.put(started('cmd-a-0001', 'write-file', 'b'));
    await resolveInterrupted(j, 'b', now);
    const once = await j.get('cmd-a-0001');
    expect(await resolveInterrupted(j, 'c', now)).toEqual([]);
    expect(await j.get('cmd-a-0001')).toEqual(once);
  });

  it('markReported removes results from the unreported set; prune keeps the newest', async () => {
    const j = await journal();
    for (let i = 0; i < 5; i++) {
      const e = started(`cmd-p-000${i}`, 'write-file', 'b');
      await j.put({ ...e, startedAt: `2026-11-25T11:00:0${i}.000Z` });
    }
    await resolveInterrupted(j, 'b', now);
    for (let i = 0; i < 5; i++) await j.markReported(`cmd-p-000${i}`);
    expect(await j.unreported()).toEqual([]);
    expect(await j.prune(2)).toBe(3);
    expect((await j.all()).map((e) => e.id).sort()).toEqual(['cmd-p-0003', 'cmd-p-0004']);
  });

  it('stores ids that are not filename-safe under a hash', async () => {
    const j = await journal();
    await j.put(started('cmd/../../etc/passwd', 'reboot', 'b'));
    expect((await j.get('cmd/../../etc/passwd'))?.id).toBe('cmd/../../etc/passwd');
  });
});

describe('boot state', () => {
  it('bootSeq goes up only when the boot id changes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-boot-'));
    expect(await updateBootState(dir, 'a')).toEqual({ bootId: 'a', bootSeq: 1 });
    expect(await updateBootState(dir, 'a')).toEqual({ bootId: 'a', bootSeq: 1 });
    expect(await updateBootState(dir, 'b')).toEqual({ bootId: 'b', bootSeq: 2 });
  });
});
