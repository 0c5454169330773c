// Runs the real `osbuild` executable as a child process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBin } from '../support/cli-harness.js';

describe('osbuild inventory check', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'osbuild-inv-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = async (name: string, text: string) => {
    const file = join(dir, name);
    await writeFile(file, text);
    return file;
  };

  it('accepts the example inventory and summarises it by role', async () => {
    const r = await runBin(['inventory', 'check', 'bootstrap/config/nodes.yaml']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'bootstrap/config/nodes.yaml: valid, cluster pi-cluster, 3 entries',
        'ROLE            ENTRIES',
        'control-plane   1',
        'worker          2',
        '',
      ].join('\n'),
    );
  });

  it('prints a JSON summary with -o json', async () => {
    const r = await runBin(['inventory', 'check', 'bootstrap/config/nodes.yaml', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: true,
      file: 'bootstrap/config/nodes.yaml',
      cluster: 'pi-cluster',
      entries: 3,
      byRole: { 'control-plane': 1, worker: 2 },
    });
  });

  it.each([
    [
      'wrong role',
      'nodes:\n  - mac: "dc:a6:32:12:34:56"\n    hostname: k8s-master-01\n    role: master\n',
      ':4:11: nodes[0].role: ',
    ],
    [
      'unknown key',
      'nodes:\n  - mac: "dc:a6:32:12:34:56"\n    hostname: k8s-master-01\n    role: worker\n    colour: blue\n',
      ':5:5: nodes[0].colour: ',
    ],
    [
      'duplicate mac',
      'nodes:\n  - mac: "dc:a6:32:12:34:56"\n    hostname: a\n    role: worker\n  - mac: "DC:A6:32:12:34:56"\n    hostname: b\n    role: worker\n',
      ':5:10: nodes[1].mac: duplicate mac dc:a6:32:12:34:56',
    ],
    ['YAML syntax error', 'nodes:\n  - mac: "dc:a6\n    hostname: [x\n', ':4:1: Missing closing'],
  ])('%s: file:line:column: field on stderr, exit 6', async (name, text, where) => {
    const file = await write(`${name.replaceAll(' ', '-')}.yaml`, text);
    const r = await runBin(['inventory', 'check', file]);
    expect(r.code).toBe(6);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]?.startsWith(`${file}${where}`)).toBe(true);
    expect(lines.at(-1)).toBe(`osbuild: ${file}: 1 issue`);
  });

  it('reports issues as JSON on stdout with -o json', async () => {
    const file = await write('json.yaml', 'nodes:\n  - mac: nope\n    hostname: a\n    role: boss\n');
    const r = await runBin(['inventory', 'check', file, '-o', 'json']);
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as { ok: boolean; issues: { field: string; line: number }[] };
    expect(report.ok).toBe(false);
    expect(report.issues.map((i) => i.field).sort()).toEqual(['nodes[0].mac', 'nodes[0].role']);
  });

  it('labels issues with the path as given and resolves it against cwd', async () => {
    await write('rel.yaml', 'nodes: 3\n');
    const r = await runBin(['inventory', 'check', 'rel.yaml'], { cwd: dir });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/^rel\.yaml:1:8: nodes: /);
  });

  it('reports an unreadable file as an issue at 1:1', async () => {
    const r = await runBin(['inventory', 'check', join(dir, 'missing.yaml')]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`${join(dir, 'missing.yaml')}:1:1: cannot read`);
  });
});
