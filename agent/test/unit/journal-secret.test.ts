import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandResult } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { Journal } from '../../src/journal/journal.js';

describe('a secret result in the journal', () => {
  it('is kept until the broker acknowledged it, then dropped', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-journal-'));
    const journal = new Journal(dir);
    const result: CommandResult = {
      v: 1,
      id: 'run-1-4-1',
      outcome: 'succeeded',
      exitCode: 0,
      error: null,
      outputTail: '',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:00:01.000Z',
      secret: 'apiVersion: v1\nkind: Config\nusers: [{user: {token: s3cr3t-admin}}]\n',
    };
    await journal.put({
      id: result.id,
      runId: 'run-1',
      index: 4,
      kind: 'kubeadm-init',
      state: 'finished',
      bootId: 'b',
      startedAt: result.startedAt ?? '',
      result,
      reported: false,
    });
    // Not yet handed over: a reconnect must be able to re-send it whole.
    expect((await journal.unreported())[0]?.secret).toBe(result.secret);
    await journal.markReported(result.id);
    const text = await readFile(path.join(dir, `${result.id}.json`), 'utf8');
    expect(text).not.toContain('s3cr3t-admin');
    expect((await journal.get(result.id))?.result?.secret).toBe('<redacted>');
  });
});
