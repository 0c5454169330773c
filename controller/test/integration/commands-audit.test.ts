// What an operator command puts in the real audit log (a file in a temp dir): the idempotency key
// the operator's CLI chose is there, and the entry gets past the audit log's secret guard (which
// refuses any detail key matching /key/i, so it once refused this entry whole).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type AuditRecord, openAuditLog } from '../../src/audit/audit-log.js';
import type { Store } from '../../src/store/store.js';
import { commandService, storeWithNode } from '../support/command-service-harness.js';
import { ManualClock } from '../support/provisioner-harness.js';

const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
});

describe('the audit entry of an operator command', () => {
  it('records its idempotency key', async () => {
    const clock = new ManualClock();
    const { store } = storeWithNode('provisioned', clock);
    stores.push(store);
    const log = await openAuditLog(join(await mkdtemp(join(tmpdir(), 'osbuild-audit-')), 'audit.log'), clock);
    const written: Array<Promise<AuditRecord>> = [];
    const service = commandService(store, clock, { audit: (e) => written.push(log.append(e)) });
    service.create({ action: 'reboot', name: 'w-01', idempotencyKey: 'rma-1234' }, 'operator:alice');
    const records = await Promise.all(written);
    await log.close();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      actor: 'operator:alice',
      action: 'command.reboot',
      target: 'w-01',
      detail: { idempotency: 'rma-1234' },
    });
  });
});
