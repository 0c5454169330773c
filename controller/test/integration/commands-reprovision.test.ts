// `osbuild reprovision` on an NVMe node (agent resets Kubernetes state and the marker, the plan runs
// again), on a netboot node (the NetbootReset seam, absent by default), and the drain seam before a
// disruption of a joined node, with --force audited.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import type { Disruption, NetbootReset } from '../../src/operator-commands/ports.js';
import { askOp, outcomes, provisionedFleet } from '../support/commands.js';
import { useCleanups, waitFor } from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

async function setupRuns(root: string): Promise<number> {
  return (await readFile(join(root, 'etc/osbuild/setup-runs'), 'utf8')).split('\n').filter(Boolean).length;
}

/** Put a node in a Kubernetes phase by hand (the Kubernetes integration is another issue's). */
function markJoined(dataDir: string, hostname: string): void {
  const db = new Database(join(dataDir, 'osbuild.db'));
  try {
    db.prepare("UPDATE nodes SET phase = 'ready' WHERE hostname = ?").run(hostname);
  } finally {
    db.close();
  }
}

describe('osbuild reprovision', { timeout: SLOW_MS }, () => {
  it('resets an NVMe node (kubeadm reset -f, marker removed) and runs its plan again', async () => {
    const f = await provisionedFleet(cleanups, ['w-02']);
    const root = f.root('w-02');
    const before = await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-02' }));
    expect(await setupRuns(root)).toBe(1);
    await mkdir(join(root, 'usr/bin'), { recursive: true });
    await writeFile(join(root, 'usr/bin/kubeadm'), `#!/bin/sh\necho "$@" >> "${root}/kubeadm-calls"\n`);
    await chmod(join(root, 'usr/bin/kubeadm'), 0o755);

    const r = await f.cli(['reprovision', 'w-02', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('succeeded');
    expect(o?.command?.reason).toMatch(/^w-02 was reset and provisioned again \(run run-/);
    expect(r.stderr).toContain('w-02: provisioning');
    expect(await readFile(join(root, 'kubeadm-calls'), 'utf8')).toBe('reset -f\n');
    expect(await setupRuns(root)).toBe(2);
    const after = await askOp(f.c, (x) => x.call('nodes.show', { name: 'w-02' }));
    expect(after.phase).toBe('provisioned');
    expect(after.run?.id).not.toBe(before.run?.id);
    const events = await askOp(f.c, (x) => x.call('events.list', { name: 'w-02', limit: 500 }));
    const phases = events.filter((e) => e.type === 'phase').map((e) => e.data.to);
    const from = phases.lastIndexOf('reprovisioning');
    expect(from).toBeGreaterThan(0);
    expect(phases.slice(from)).toEqual(['reprovisioning', 'discovered', 'provisioning', 'provisioned']);
  });

  it('refuses a netboot node while no netboot reset is configured', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    const r = await f.cli(['reprovision', 'w-01']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/boots from the network: reprovisioning it needs the netboot root reset/);
  });

  it('hands a netboot node to the NetbootReset seam (stand-in), reboots it and runs the plan again', async () => {
    const calls: Array<{ name: string; nodeId: string }> = [];
    const netbootReset: NetbootReset = {
      async resetRoot(name, opts) {
        calls.push({ name, nodeId: opts.nodeId });
        return { image: 'stand-in' };
      },
    };
    const f = await provisionedFleet(cleanups, ['w-01'], { options: { netbootReset } });
    const r = await f.cli(['reprovision', 'w-01', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('succeeded');
    expect(o?.command?.bootIdAfter).not.toBe(o?.command?.bootIdBefore);
    expect(calls).toEqual([{ name: 'w-01', nodeId: 'pi-10000000000000a2' }]);
    expect(await setupRuns(f.root('w-01'))).toBe(2);
  });
});

describe('the disruption seam before reboot/reprovision of a joined node', { timeout: SLOW_MS }, () => {
  it('drains first; a failed drain fails the command and nothing is sent', async () => {
    const seen: Array<{ node: string; force: boolean }> = [];
    let refuse = true;
    const disruption: Disruption = {
      async beforeDisruption(node, { force }) {
        seen.push({ node: node.hostname ?? node.node_id, force });
        if (refuse) throw new Error('pod disruption budget would be violated');
      },
    };
    const f = await provisionedFleet(cleanups, ['w-02'], { options: { disruption } });
    // Provisioned but not joined: no drain.
    const plain = await f.cli(['reboot', 'w-02']);
    expect(plain.code).toBe(0);
    expect(seen).toEqual([]);

    markJoined(f.ws.dataDir, 'w-02');
    const refused = await f.cli(['reboot', 'w-02', '-o', 'json']);
    expect(refused.code).toBe(8);
    expect(outcomes(refused.stdout)[0]?.command?.reason).toBe(
      'draining w-02 failed: pod disruption budget would be violated',
    );
    const actions = await readFile(join(f.root('w-02'), 'var/log/osbuild/host-actions.log'), 'utf8');
    expect(actions.match(/"action":"reboot"/g)).toHaveLength(1);

    refuse = false;
    const forced = await f.cli(['reboot', 'w-02', '--force']);
    expect(forced.code).toBe(0);
    expect(seen).toEqual([
      { node: 'w-02', force: false },
      { node: 'w-02', force: true },
    ]);
    const audit = await waitFor('audited', async () => {
      const text = await readFile(auditLogPath(f.ws.dataDir), 'utf8');
      return text.includes('"command.force"') ? text : null;
    });
    expect(audit).toMatch(/"actor":"operator:[^"]+","action":"command.force","target":"w-02"/);
    expect(audit.match(/"action":"command.reboot"/g)).toHaveLength(3);
  });
});
