// `osbuild serve` as a real process with the real controller core, then the CLI against it.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, REPO_ROOT, runBin, runCli } from '../support/cli-harness.js';

async function waitForFile(file: string, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await readFile(file, 'utf8');
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('osbuild serve (real core)', () => {
  let dir: string;
  let serve: ChildProcess;
  let stderr = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osbuild-serve-'));
    serve = spawn(
      process.execPath,
      [
        BIN,
        'serve',
        '--data-dir',
        dir,
        '--listen',
        'mqtt://127.0.0.1:0',
        '--http-listen',
        'http://127.0.0.1:0',
      ],
      { cwd: REPO_ROOT, env: { PATH: process.env.PATH ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    serve.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    await waitForFile(join(dir, 'controller.json'), 20_000);
  });
  afterAll(async () => {
    if (serve.exitCode === null) serve.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('answers nodes ls and status through <data-dir>/controller.json', async () => {
    const ls = await runBin(['nodes', 'ls', '-o', 'json', '--data-dir', dir]);
    expect(ls.stderr).toBe('');
    expect(ls.code).toBe(0);
    expect(JSON.parse(ls.stdout)).toEqual([]);
    const status = await runCli(['status', '-o', 'json', '--data-dir', dir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ nodes: 0, inventory: { entries: 3 } });
    const missing = await runCli(['nodes', 'why', 'nobody', '--data-dir', dir]);
    expect(missing.code).toBe(3);
  });

  it('logs JSON on stderr and exits 0 on SIGINT', async () => {
    serve.kill('SIGINT');
    const [code] = (await once(serve, 'exit')) as [number | null];
    expect(code).toBe(0);
    const msgs = stderr
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toContain('controller started');
    expect(msgs.at(-1)).toBe('stopped');
  });
});
