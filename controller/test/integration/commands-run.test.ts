// `osbuild run` with acks and results, waves with --max-in-flight stopping at the first failure,
// --continue-on-error, selectors, idempotency keys and `osbuild logs`: real controller, real agents.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { askOp, outcomes, provisionedFleet } from '../support/commands.js';
import { useCleanups } from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

async function runs(root: string): Promise<number> {
  const text = await readFile(join(root, 'etc/probe-runs'), 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean).length;
}

describe('osbuild run', { timeout: SLOW_MS }, () => {
  it('runs a bootstrap script at the pinned commit: ack, progress, result, output in logs', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    const r = await f.cli(['run', 'w-01', 'scripts/probe.sh', 'one', 'two', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('succeeded');
    expect(o?.command?.ackedAt).toEqual(expect.any(String));
    expect(o?.command?.outputTail).toContain('args: one two');
    expect(await runs(f.root('w-01'))).toBe(1);

    const logs = await f.cli(['logs', 'w-01']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toContain('probe on pi-10000000000000a2 args: one two');
    // Provisioning step output is recorded too.
    expect(logs.stdout).toContain('setting up w-01 as worker');

    const ls = await f.cli(['commands', 'ls']);
    expect(ls.stdout).toMatch(new RegExp(`${o?.command?.id}\\s+run scripts/probe.sh\\s+w-01\\s+succeeded`));
    const show = await f.cli(['commands', 'show', o?.command?.id as string]);
    expect(show.stdout).toContain('the agent reports success');

    // Counted in the command outcomes metric, and audited with the operator who asked.
    const metrics = await (await fetch(`${f.c.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/osbuild_commands_total\{outcome="succeeded"\} 1/);
    const audit = await readFile(auditLogPath(f.ws.dataDir), 'utf8');
    expect(audit).toMatch(/"actor":"operator:[^"]+","action":"command.run","target":"w-01"/);
    expect(audit).toMatch(/"action":"rpc.commands.create","target":"w-01"/);
  });

  it('exits 8 with the failure reason when the script fails, and refuses paths outside the repo', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    await f.touch('w-01', 'etc/probe-fail');
    const r = await f.cli(['run', 'w-01', 'scripts/probe.sh']);
    expect(r.code).toBe(8);
    expect(r.stdout).toMatch(/w-01\s+cmd-\S+\s+failed\s+scripts\/probe.sh failed: exit code 3/);
    const bad = await f.cli(['run', 'w-01', '../etc/passwd']);
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/relative path inside the repo/);
    const missing = await f.cli(['run', 'w-01', 'scripts/nope.sh']);
    expect(missing.code).toBe(8);
    expect(missing.stdout).toMatch(/scripts\/nope.sh not found/);
  });

  it('goes in waves of --max-in-flight and stops at the first failure; --continue-on-error goes on', async () => {
    const f = await provisionedFleet(cleanups, ['cp-01', 'w-01', 'w-02']);
    await f.touch('cp-01', 'etc/probe-fail');
    const stop = await f.cli([
      'run',
      'cp-01',
      'w-01',
      'w-02',
      '--max-in-flight',
      '1',
      '--',
      'scripts/probe.sh',
    ]);
    expect(stop.code, stop.stderr).toBe(8);
    expect(stop.stdout).toMatch(/cp-01\s+cmd-\S+\s+failed/);
    expect(stop.stdout).toMatch(/w-01\s+-\s+skipped/);
    expect(stop.stdout).toMatch(/w-02\s+-\s+skipped/);
    expect(await runs(f.root('w-01'))).toBe(0);

    const on = await f.cli([
      'run',
      'cp-01',
      'w-01',
      'w-02',
      '--max-in-flight',
      '1',
      '--continue-on-error',
      '-o',
      'json',
      '--',
      'scripts/probe.sh',
    ]);
    expect(on.code).toBe(8);
    expect(outcomes(on.stdout).map((o) => [o.name, o.command?.state])).toEqual([
      ['cp-01', 'failed'],
      ['w-01', 'succeeded'],
      ['w-02', 'succeeded'],
    ]);
    // In waves of one: each command was created only after the previous one finished.
    const cmds = outcomes(on.stdout).map((o) => o.command as Record<string, string>);
    for (let i = 1; i < cmds.length; i++) {
      expect(Date.parse(cmds[i]?.createdAt as string)).toBeGreaterThanOrEqual(
        Date.parse(cmds[i - 1]?.finishedAt as string),
      );
    }
  });

  it('selects targets by label (-l), warns about boards never seen, and runs two at a time', async () => {
    const f = await provisionedFleet(cleanups, ['cp-01', 'w-01', 'w-02']);
    const r = await f.cli([
      'run',
      '-l',
      'role=worker',
      '--max-in-flight',
      '2',
      'scripts/probe.sh',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('w-99 matches the selector but has never said hello');
    expect(outcomes(r.stdout).map((o) => o.name)).toEqual(['w-01', 'w-02']);
    expect(await runs(f.root('cp-01'))).toBe(0);
    const zone = await f.cli(['run', '-l', 'zone=a,role!=worker', 'scripts/probe.sh', '-o', 'json']);
    expect(outcomes(zone.stdout).map((o) => o.name)).toEqual(['cp-01']);
    const none = await f.cli(['run', '-l', 'zone=c', 'scripts/probe.sh']);
    expect(none.code).toBe(3);
    const bad = await f.cli(['run', '-l', 'zone in (a,b)', 'scripts/probe.sh']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/set-based selectors are not supported/);
  });

  it('returns the existing command for a repeated idempotency key and runs the script once', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    const args = ['run', 'w-01', 'scripts/probe.sh', '--idempotency-key', 'fix-42', '-o', 'json'];
    const first = await f.cli(args);
    const second = await f.cli(args);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const [a] = outcomes(first.stdout);
    const [b] = outcomes(second.stdout);
    expect(a?.created).toBe(true);
    expect(b?.created).toBe(false);
    expect(b?.command?.id).toBe(a?.command?.id);
    expect(await runs(f.root('w-01'))).toBe(1);
    const clash = await f.cli(['reboot', 'w-01', '--idempotency-key', 'fix-42']);
    expect(clash.code).toBe(4);
    expect(clash.stderr).toMatch(/idempotency key fix-42 already names command/);
  });

  it('refuses a monitor: it cannot issue commands, and nothing is created', async () => {
    const f = await provisionedFleet(cleanups, ['w-01']);
    const user = await askOp(f.c, (rpc) => rpc.call('users.add', { name: 'grafana', role: 'monitor' }));
    const creds = join(f.ws.dir, 'monitor.json');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(creds, JSON.stringify({ username: 'grafana', password: user.password }), { mode: 0o600 });
    const r = await f.cli(['reboot', 'w-01', '--credentials', creds, '--timeout', '2']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/monitor credentials cannot call operator methods/);
    const list = await askOp(f.c, (rpc) => rpc.call('commands.list', {}));
    expect(list).toEqual([]);
  });
});
