import { describe, expect, it } from 'vitest';
import { formatInventoryIssue, loadInventory, parseInventory } from '../../src/inventory/load.js';

const fixture = (name: string) => new URL(`../fixtures/inventories/${name}`, import.meta.url).pathname;

async function issuesOf(name: string): Promise<string[]> {
  const r = await loadInventory(fixture(name));
  if (r.ok) throw new Error(`${name} unexpectedly valid`);
  return r.issues.map((i) => formatInventoryIssue({ ...i, file: name }));
}

describe('inventory loader', () => {
  it('accepts the original vision format as it is, with defaults filled in', async () => {
    const r = await loadInventory(fixture('original-vision.yaml'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.inventory.nodes.map((n) => [n.hostname, n.role, n.mac, n.ip])).toEqual([
      ['k8s-master-01', 'control-plane', 'dc:a6:32:12:34:56', '10.0.10.10'],
      ['k8s-worker-01', 'worker', 'dc:a6:32:12:34:57', '10.0.10.11'],
    ]);
    expect(r.inventory.defaults.stepRetries).toBe(1);
    expect(r.inventory.bootstrap.scripts).toEqual([{ path: 'setup.sh', args: [] }]);
  });

  it('accepts the example inventory shipped in bootstrap/config', async () => {
    const r = await loadInventory(new URL('../../../bootstrap/config/nodes.yaml', import.meta.url).pathname);
    expect(r.ok).toBe(true);
  });

  it('names file, line, column and field for a bad enum value', async () => {
    expect(await issuesOf('bad-role.yaml')).toEqual([
      'bad-role.yaml:4:11: nodes[0].role: Invalid option: expected one of "control-plane"|"worker"',
    ]);
  });

  it('reports a misspelt key at the key and the missing field at its entry', async () => {
    expect(await issuesOf('typo-key.yaml')).toEqual([
      'typo-key.yaml:2:5: nodes[0].hostname: required field is missing (Invalid input: expected string, received undefined)',
      'typo-key.yaml:3:5: nodes[0].hostnmae: Unrecognized key: "hostnmae"',
    ]);
  });

  it('refuses duplicate identities, comparing MACs case-insensitively', async () => {
    expect(await issuesOf('duplicate-mac.yaml')).toEqual([
      'duplicate-mac.yaml:5:10: nodes[1].mac: duplicate mac dc:a6:32:12:34:56 (already used by nodes[0])',
    ]);
  });

  it('reports YAML syntax errors with their position', async () => {
    const issues = await issuesOf('syntax.yaml');
    expect(issues[0]).toMatch(/^syntax\.yaml:\d+:\d+: /);
  });

  it('reports every bad value, not just the first', async () => {
    const issues = await issuesOf('bad-values.yaml');
    expect(issues).toEqual([
      expect.stringMatching(/^bad-values\.yaml:3:14: defaults\.network\.gateway: expected an IPv4 address/),
      expect.stringMatching(
        /^bad-values\.yaml:5:15: nodes\[0\]\.hostname: expected a lowercase RFC 1123 hostname/,
      ),
      expect.stringMatching(/^bad-values\.yaml:7:9: nodes\[0\]\.ip: expected an IPv4 address/),
      expect.stringMatching(/^bad-values\.yaml:5:5: nodes\[0\]\.mac: a node needs a mac or a serial/),
    ]);
  });

  it('reports an unreadable file as one issue instead of throwing', async () => {
    const r = await loadInventory('/nonexistent/nodes.yaml');
    expect(r).toMatchObject({
      ok: false,
      issues: [{ line: 1, column: 1, message: expect.stringMatching(/cannot read/) }],
    });
  });

  it('treats an empty document as missing the nodes list', () => {
    const r = parseInventory('', 'empty.yaml');
    expect(r).toMatchObject({ ok: false, issues: [{ field: 'nodes' }] });
  });
});
