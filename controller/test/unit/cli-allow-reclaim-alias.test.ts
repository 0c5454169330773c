import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';

// The claim-window verb was renamed (`nodes reprovision` read like `osbuild reprovision`, which
// resets a node); the old name stays one release as a hidden alias that says so.
describe('nodes allow-reclaim and its deprecated alias', () => {
  it('the old name warns on stderr and does the same thing (here: controller unreachable, exit 5)', async () => {
    const args = ['w-01', '--controller', 'mqtt://127.0.0.1:1', '--timeout', '1'];
    const renamed = await runCli(['nodes', 'allow-reclaim', ...args]);
    const old = await runCli(['nodes', 'reprovision', ...args]);
    expect(renamed.code).toBe(5);
    expect(old.code).toBe(renamed.code);
    expect(renamed.stderr).not.toContain('deprecated');
    expect(old.stderr).toContain(
      '`osbuild nodes reprovision` is deprecated: use `osbuild nodes allow-reclaim`',
    );
  });

  it('lists only the new name in `nodes --help`', async () => {
    const r = await runCli(['nodes', '--help']);
    expect(r.stdout).toContain('allow-reclaim');
    expect(r.stdout).not.toMatch(/^\s+reprovision\b/m);
  });
});
