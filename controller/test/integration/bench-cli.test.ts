// `npm run bench` is a command like the others: --help, usage errors with exit code 2.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BENCH = fileURLToPath(new URL('../../bench/bench.ts', import.meta.url));

async function bench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, ['--import', 'tsx', BENCH, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('bench command line', () => {
  it('documents the suites, sizes and output format in --help', async () => {
    const r = await bench('--help');
    expect(r.code).toBe(0);
    for (const word of [
      'telemetry',
      'storm',
      'offline',
      'provision',
      '--nodes',
      '-o, --output',
      'Exit codes',
    ])
      expect(r.stdout).toContain(word);
  });

  it('refuses an unknown suite with exit code 2 and runs nothing', async () => {
    const r = await bench('telemetri');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown suite telemetri');
    expect(r.stdout).toBe('');
  });

  it('refuses a bad node list with exit code 2', async () => {
    const r = await bench('storm', '--nodes', '10,abc');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('comma-separated list of node counts');
  });
});
