import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli-harness.js';

const COMMANDS = [
  [],
  ['serve'],
  ['nodes'],
  ['nodes', 'ls'],
  ['nodes', 'show'],
  ['nodes', 'why'],
  ['nodes', 'approve'],
  ['nodes', 'rotate-credential'],
  ['nodes', 'reprovision'],
  ['nodes', 'allow-reclaim'],
  ['users'],
  ['users', 'add'],
  ['users', 'ls'],
  ['users', 'rm'],
  ['claims'],
  ['claims', 'add'],
  ['claims', 'ls'],
  ['claims', 'revoke'],
  ['nodes', 'retry'],
  ['status'],
  ['inventory'],
  ['inventory', 'check'],
  ['ca'],
  ['ca', 'show'],
  ['audit'],
  ['audit', 'ls'],
  ['audit', 'verify'],
  ['sim'],
  ['sim', 'inventory'],
  ['sim', 'run'],
  ['netboot'],
  ['netboot', 'render'],
  ['netboot', 'import'],
  ['netboot', 'reset'],
  ['netboot', 'power'],
  ['cluster'],
  ['cluster', 'status'],
  ['cluster', 'adopt'],
];

describe('--help', () => {
  it.each(COMMANDS.map((c) => [c.join(' ') || '(root)', c]))('osbuild %s --help exits 0', async (_, cmd) => {
    const r = await runCli([...(cmd as string[]), '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: osbuild/);
    expect(r.stderr).toBe('');
  });

  it('documents the exit codes at the top level', async () => {
    const r = await runCli(['--help']);
    expect(r.stdout).toContain('5  controller unreachable or timed out');
  });

  it('lists the shared client flags on controller commands', async () => {
    const r = await runCli(['nodes', 'ls', '--help']);
    for (const flag of [
      '--controller <url>',
      '--data-dir <dir>',
      '--credentials <file>',
      '--timeout <sec>',
      '-o, --output',
    ]) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('`osbuild help nodes` exits 0 too', async () => {
    expect((await runCli(['help', 'nodes'])).code).toBe(0);
  });
});
