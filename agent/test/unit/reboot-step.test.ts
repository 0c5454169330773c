import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rebootStep } from '../../src/steps/reboot.js';
import { fixtureContext, step } from '../support/step-context.js';

describe('reboot executor (fixture seam)', () => {
  it('writes a new boot id, asks for a session restart and leaves the verdict for later', async () => {
    const { ctx, root, restarts, actions } = await fixtureContext('pi5-a');
    expect(await rebootStep(step({ kind: 'reboot' }), ctx)).toEqual({ status: 'awaiting-reboot' });
    const bootId = (await readFile(path.join(root, 'proc/sys/kernel/random/boot_id'), 'utf8')).trim();
    expect(bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(bootId).not.toBe('6f1c2a3e-0a11-4c6b-9d2e-5a0000000a01');
    expect(restarts()).toBe(1);
    expect(await actions()).toMatchObject([{ action: 'reboot', bootId }]);
  });
});
