// Live views end to end: health-condition changes become events, `osbuild events` prints the past
// and follows new ones (-f, JSON lines), and `osbuild watch --once -o json` shows the fleet from
// the status and telemetry topics, as an operator and as a monitor.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/program.js';
import { REPO_ROOT } from '../support/cli-harness.js';
import { askOp, BOARD, provisionedFleet } from '../support/commands.js';
import { startFixtureAgent, useCleanups, waitFor } from '../support/e2e.js';

const cleanups = useCleanups();
// Each test provisions a small fleet: generous on a loaded 2-core machine.
const SLOW_MS = 120_000;

/** A fleet whose agents sample telemetry every second. */
async function liveFleet() {
  const f = await provisionedFleet(cleanups, []);
  const root: Record<string, string> = {};
  for (const h of ['w-01', 'w-02'] as const) {
    const a = await startFixtureAgent(f.c, BOARD[h], undefined, { telemetryIntervalSec: 1 });
    cleanups.push(() => a.agent.stop());
    root[h] = a.root;
  }
  await waitFor('provisioned', async () => {
    const nodes = await askOp(f.c, (r) => r.call('nodes.list', {}));
    return nodes.filter((n) => n.phase === 'provisioned').length === 2;
  });
  return { ...f, root: (h: string) => root[h] as string };
}

describe('events', { timeout: SLOW_MS }, () => {
  it('records health condition changes and prints them with `osbuild events NAME -o json`', async () => {
    const f = await liveFleet();
    const temp = join(f.root('w-02'), 'sys/class/thermal/thermal_zone0/temp');
    await writeFile(temp, '86000\n');
    await waitFor('raised', async () => {
      const e = await askOp(f.c, (r) => r.call('events.list', { name: 'w-02', limit: 500 }));
      return e.some((x) => x.type === 'condition-raised' && x.data.type === 'temperature-high');
    });
    await writeFile(temp, '45000\n');
    await waitFor('cleared', async () => {
      const e = await askOp(f.c, (r) => r.call('events.list', { name: 'w-02', limit: 500 }));
      return e.some((x) => x.type === 'condition-cleared' && x.data.type === 'temperature-high');
    });
    const r = await f.cli(['events', 'w-02', '-o', 'json', '--limit', '500']);
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const raised = lines.filter((e) => e.type === 'condition-raised' && e.data.type === 'temperature-high');
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ name: 'w-02', data: { severity: 'critical' } });
    expect(raised[0].data.reason).toMatch(/SoC at 86\.0 °C/);
    expect(lines.filter((e) => e.type === 'condition-cleared')).toHaveLength(1);
    // Oldest first, ids increasing, every event for w-02 only.
    expect(lines.map((e) => e.id)).toEqual([...lines.map((e) => e.id)].sort((a, b) => a - b));
    expect(new Set(lines.map((e) => e.name))).toEqual(new Set(['w-02']));
    const text = await f.cli(['events', 'w-02']);
    expect(text.stdout).toMatch(/ w-02 {2}phase {2}\{"from":"provisioning","to":"provisioned"/);
    const missing = await f.cli(['events', 'nope']);
    expect(missing.code).toBe(3);
  });

  it('-f prints past events, then follows new ones until interrupted', async () => {
    const f = await liveFleet();
    let out = '';
    let stop: (s: string) => void = () => {};
    const stopped = new Promise<string>((r) => {
      stop = r;
    });
    const done = main(['node', 'osbuild', 'events', '-f', '-o', 'json', '--data-dir', f.ws.dataDir], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      env: {},
      cwd: REPO_ROOT,
      waitForShutdown: () => stopped,
    });
    await waitFor('past events', async () => out.includes('"type":"phase"'));
    const before = out.split('\n').filter(Boolean).length;
    const r = await f.cli(['run', 'w-01', 'scripts/probe.sh']);
    expect(r.code).toBe(0);
    await waitFor('followed', async () => out.includes('"type":"command-finished"'), 10_000);
    stop('SIGINT');
    expect(await done).toBe(0);
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.length).toBeGreaterThan(before);
    const types = lines.slice(before).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['command-created', 'command-sent', 'command-finished']));
    expect(new Set(lines.map((e) => e.id)).size).toBe(lines.length);
  });
});

describe('watch', { timeout: SLOW_MS }, () => {
  it('--once -o json shows every node with telemetry from the topics', async () => {
    const f = await liveFleet();
    const r = await f.cli(['watch', '--once', '--window', '2.5', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const snapshot = JSON.parse(r.stdout.trim());
    expect(snapshot.nodes.map((n: { name: string }) => n.name)).toEqual(['w-01', 'w-02']);
    for (const n of snapshot.nodes) {
      expect(n).toMatchObject({ phase: 'provisioned', online: true });
      expect(n.socTempC).toEqual(expect.any(Number));
      expect(n.uptimeSec).toEqual(expect.any(Number));
    }
    const one = await f.cli(['watch', 'w-02', '--once', '--window', '1.5', '-o', 'json']);
    expect(JSON.parse(one.stdout).nodes.map((n: { name: string }) => n.name)).toEqual(['w-02']);
    const sel = await f.cli(['watch', '-l', 'zone=a', '--once', '--window', '1.5']);
    expect(sel.stdout).toMatch(/^osbuild watch .* 1 node, 1 online\nNAME\s+PHASE/);
    expect(sel.stdout).toMatch(/\nw-01\s+provisioned\s+yes\s+\d+\.\dC/);
  });

  it('works with a monitor credential (topics only) and refuses -l for it', async () => {
    const f = await liveFleet();
    const user = await askOp(f.c, (rpc) => rpc.call('users.add', { name: 'grafana', role: 'monitor' }));
    const creds = join(f.ws.dir, 'monitor.json');
    await writeFile(creds, JSON.stringify({ username: 'grafana', password: user.password }), { mode: 0o600 });
    const r = await f.cli([
      'watch',
      '--monitor',
      '--credentials',
      creds,
      '--once',
      '--window',
      '2.5',
      '-o',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const nodes = JSON.parse(r.stdout).nodes as Array<{
      nodeId: string;
      online: boolean;
      phase: string | null;
    }>;
    expect(nodes.map((n) => n.nodeId).sort()).toEqual(['pi-10000000000000a2', 'pi-10000000000000a3']);
    expect(nodes.every((n) => n.online && n.phase === null)).toBe(true);
    const bad = await f.cli(['watch', '--monitor', '--credentials', creds, '-l', 'zone=a', '--once']);
    expect(bad.code).toBe(2);
  });
});
