import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileStep } from '../../src/steps/write-file.js';
import { fixtureContext, step } from '../support/step-context.js';

describe('write-file executor (fixture seam)', () => {
  it('writes below the host root with the mode and is idempotent', async () => {
    const { ctx, root } = await fixtureContext('pi5-c');
    const s = step({
      kind: 'write-file',
      path: '/etc/modules-load.d/k8s.conf',
      content: 'overlay\nbr_netfilter\n',
      mode: '0640',
    });
    expect(await writeFileStep(s, ctx)).toEqual({ status: 'succeeded', changed: true });
    const file = path.join(root, 'etc/modules-load.d/k8s.conf');
    expect(await readFile(file, 'utf8')).toBe('overlay\nbr_netfilter\n');
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await writeFileStep(s, ctx)).toEqual({ status: 'succeeded', changed: false });
  });

  it('fixes only the mode when the content already matches', async () => {
    const { ctx, root } = await fixtureContext('pi5-c');
    await writeFileStep(step({ kind: 'write-file', path: '/etc/x.conf', content: 'a' }), ctx);
    const again = step({ kind: 'write-file', path: '/etc/x.conf', content: 'a', mode: '0600' });
    expect(await writeFileStep(again, ctx)).toEqual({ status: 'succeeded', changed: true });
    expect((await stat(path.join(root, 'etc/x.conf'))).mode & 0o777).toBe(0o600);
  });

  it('decodes base64 content', async () => {
    const { ctx, root } = await fixtureContext('pi5-c');
    const s = step({
      kind: 'write-file',
      path: '/etc/bin.dat',
      content: Buffer.from([0, 1, 2, 255]).toString('base64'),
      encoding: 'base64',
    });
    await writeFileStep(s, ctx);
    expect([...(await readFile(path.join(root, 'etc/bin.dat')))]).toEqual([0, 1, 2, 255]);
  });

  it('refuses paths with .. even when the schema is bypassed', async () => {
    const { ctx } = await fixtureContext('pi5-c');
    const evil = {
      kind: 'write-file' as const,
      path: '/etc/../../outside',
      content: 'x',
      encoding: 'utf8' as const,
      mode: '0644',
      timeoutSec: 30,
    };
    await expect(writeFileStep(evil, ctx)).rejects.toThrow(/must not contain/);
  });
});
