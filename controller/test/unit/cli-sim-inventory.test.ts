import { parseInventory } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { boardIdentity } from '../../src/sim/synthetic-host.js';
import { runCli } from '../support/cli-harness.js';

async function inventory(args: string[]) {
  const r = await runCli(['sim', 'inventory', ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  const parsed = parseInventory(r.stdout, 'nodes.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return { text: r.stdout, inventory: parsed.inventory };
}

describe('osbuild sim inventory', () => {
  it('prints a valid nodes.yaml: one control plane, the rest workers', async () => {
    const { inventory: inv } = await inventory(['--nodes', '5']);
    expect(inv.nodes).toHaveLength(5);
    expect(inv.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker', 'worker', 'worker']);
    expect(inv.nodes[0]?.mac).toBe(boardIdentity(0).mac);
  });

  it('is deterministic per seed and disjoint across seeds', async () => {
    const a = await inventory(['--nodes', '300', '--seed', '7']);
    const b = await inventory(['--nodes', '300', '--seed', '7']);
    const c = await inventory(['--nodes', '300', '--seed', '8']);
    expect(a.text).toBe(b.text);
    const macs = (x: typeof a) => x.inventory.nodes.map((n) => n.mac);
    const names = (x: typeof a) => x.inventory.nodes.map((n) => n.hostname);
    expect(new Set(macs(a)).size).toBe(300);
    expect(macs(a).filter((m) => macs(c).includes(m))).toEqual([]);
    expect(names(a).filter((m) => names(c).includes(m))).toEqual([]);
  });

  it('accepts the largest fleet and seed', async () => {
    const { inventory: inv } = await inventory(['--nodes', '10000', '--seed', '255']);
    expect(new Set(inv.nodes.map((n) => n.ip)).size).toBe(10_000);
  });

  it.each([
    [['--nodes', '0']],
    [['--nodes', '10001']],
    [['--nodes', 'x']],
    [['--nodes', '3', '--seed', '256']],
    [[]],
  ])('rejects %j as a usage error', async (args) => {
    const r = await runCli(['sim', 'inventory', ...args]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });
});

describe('osbuild sim run', () => {
  it('needs the claim secret', async () => {
    const r = await runCli(['sim', 'run', '--nodes', '1', '--data-dir', '/nonexistent-osbuild-sim']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('claim secret not found');
  });
});
