// The live views as an operator runs them: the real `osbuild` executable as a child process,
// `watch` on a pseudo-terminal (util-linux `script`) redrawing its table in place, and `logs -f`
// printing new output of a real agent until interrupted. Real controller, broker and agents.
import { type ChildProcess, spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT } from '../support/cli-harness.js';
import { askOp, BOARD, provisionedFleet } from '../support/commands.js';
import { startFixtureAgent, useCleanups, waitFor } from '../support/e2e.js';

const cleanups = useCleanups();
const SLOW_MS = 120_000;
/** ECMA-48 cursor home + erase display: how `watch` redraws on a terminal. */
const CLEAR = '\x1b[H\x1b[2J';

/** A child process whose stdout is collected; ended (SIGKILL) after the test if still running. */
function collect(child: ChildProcess) {
  let out = '';
  let err = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  });
  return { out: () => out, err: () => err, exited };
}

async function fleetWithTelemetry() {
  const f = await provisionedFleet(cleanups, []);
  const a = await startFixtureAgent(f.c, BOARD['w-01'], undefined, { telemetryIntervalSec: 1 });
  cleanups.push(() => a.agent.stop());
  await waitFor('w-01 provisioned', async () => {
    const nodes = await askOp(f.c, (r) => r.call('nodes.list', {}));
    return nodes.some((n) => n.name === 'w-01' && n.phase === 'provisioned');
  });
  return f;
}

describe('live views in a real terminal and a real process', { timeout: SLOW_MS }, () => {
  it('`osbuild watch` on a TTY redraws the table in place until Ctrl-C, then exits 0', async () => {
    const f = await fleetWithTelemetry();
    // script(1) gives the command a pseudo-terminal; -e returns its exit status, -f flushes.
    const command = [process.execPath, BIN, 'watch', '--interval', '1', '--data-dir', f.ws.dataDir]
      .map((a) => `'${a}'`)
      .join(' ');
    // exec: the watch process itself, not a shell around it, is the terminal's foreground job.
    const child = spawn('script', ['-qfec', `exec ${command}`, '/dev/null'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const run = collect(child);
    // Three frames: the first and two redraws, each starting with the clear sequence.
    const frames = await waitFor(
      'three redraws with telemetry',
      async () => {
        const parts = run.out().split(CLEAR).slice(1);
        const full = parts.filter((p) => /\nw-01\s+provisioned\s+yes\s+\d+\.\dC/.test(p));
        return full.length >= 3 ? parts : null;
      },
      60_000,
    );
    for (const frame of frames.filter((p) => p.includes('w-01')))
      expect(frame).toMatch(/^osbuild watch .* 1 node, 1 online\r?\nNAME\s+PHASE/);
    // Ctrl-C typed at the terminal: the line discipline sends SIGINT to the watch process.
    child.stdin?.write('\x03');
    expect(await run.exited, run.err()).toBe(0);
  });

  it('`osbuild logs NAME -f` prints past lines, then new output as the agent sends it, until SIGINT', async () => {
    const f = await fleetWithTelemetry();
    const child = spawn(process.execPath, [BIN, 'logs', 'w-01', '-f', '--data-dir', f.ws.dataDir], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run = collect(child);
    // The bootstrap script's output from provisioning is already recorded.
    await waitFor('past lines', async () => run.out().includes('setting up w-01 as worker'), 30_000);
    expect(run.out()).not.toContain('followed-marker');
    const r = await f.cli(['run', 'w-01', 'scripts/probe.sh', 'followed-marker']);
    expect(r.code, r.stderr).toBe(0);
    await waitFor(
      'the new line followed',
      async () => run.out().includes('probe on pi-10000000000000a2 args: followed-marker'),
      15_000,
    );
    expect(child.exitCode).toBeNull();
    child.kill('SIGINT');
    expect(await run.exited, run.err()).toBe(0);
    // Each line once: following must not repeat what was printed before.
    expect(run.out().split('args: followed-marker').length).toBe(2);
  });
});
