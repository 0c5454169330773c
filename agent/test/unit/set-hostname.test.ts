import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { setHostname, withHostsEntry } from '../../src/steps/set-hostname.js';
import { fixtureContext, step } from '../support/step-context.js';

describe('set-hostname executor (fixture seam)', () => {
  it('writes /etc/hostname and the 127.0.1.1 line, applies once, and is idempotent', async () => {
    const { ctx, root, actions } = await fixtureContext('pi5-a');
    const s = step({ kind: 'set-hostname', hostname: 'node-a' });
    expect(await setHostname(s, ctx)).toEqual({ status: 'succeeded', changed: true });
    expect(await readFile(path.join(root, 'etc/hostname'), 'utf8')).toBe('node-a\n');
    const hosts = await readFile(path.join(root, 'etc/hosts'), 'utf8');
    expect(hosts).toContain('127.0.1.1\tnode-a\n');
    expect(hosts).not.toContain('raspberrypi');
    expect(hosts).toContain('127.0.0.1\tlocalhost');
    expect(await setHostname(s, ctx)).toEqual({ status: 'succeeded', changed: false });
    expect(await actions()).toMatchObject([{ action: 'apply-hostname', hostname: 'node-a' }]);
  });

  it('adds a 127.0.1.1 line when there is none', () => {
    expect(withHostsEntry('127.0.0.1\tlocalhost\n', 'n1')).toBe('127.0.0.1\tlocalhost\n127.0.1.1\tn1\n');
  });
});
