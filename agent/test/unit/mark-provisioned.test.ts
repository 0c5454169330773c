import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readProvisioned } from '../../src/journal/provisioned.js';
import { markProvisioned } from '../../src/steps/mark-provisioned.js';
import { fixtureContext, step } from '../support/step-context.js';

describe('mark-provisioned executor', () => {
  it('writes provisioned.json once per run id', async () => {
    const { ctx, stateDir } = await fixtureContext('pi5-b');
    expect(await markProvisioned(step({ kind: 'mark-provisioned', runId: 'run-7' }), ctx)).toEqual({
      status: 'succeeded',
      changed: true,
    });
    expect(JSON.parse(await readFile(path.join(stateDir, 'provisioned.json'), 'utf8'))).toEqual({
      runId: 'run-7',
      at: '2026-11-25T12:00:00.000Z',
    });
    expect(await markProvisioned(step({ kind: 'mark-provisioned', runId: 'run-7' }), ctx)).toEqual({
      status: 'succeeded',
      changed: false,
    });
    await markProvisioned(step({ kind: 'mark-provisioned', runId: 'run-8' }), ctx);
    expect((await readProvisioned(stateDir))?.runId).toBe('run-8');
  });
});
