// `osbuild netboot ...` in-process with real files and real programs: help, -o json, exit codes,
// the power hook (absent: said so; present: argv without a shell, node name in OSBUILD_NODE).
import { appendFile, chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { runCli } from '../support/cli-harness.js';
import { makeImageVersion } from '../support/netboot-image.js';

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-cli-netboot-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function writeConfig(extra = '') {
  await writeFile(
    join(work, 'netboot.yaml'),
    [
      'server: 10.0.10.2',
      'network: 10.0.10.0',
      'interface: eth0',
      `dir: ${join(work, 'srv')}`,
      'agent:',
      '  controller: mqtt://10.0.10.2:1883',
      extra,
    ].join('\n'),
  );
  await writeFile(
    join(work, 'nodes.yaml'),
    [
      'defaults:',
      '  netboot: { image: v1 }',
      'nodes:',
      '  - { hostname: pi-a, role: worker, serial: "10000000aabbccdd", netboot: {} }',
      '  - { hostname: pi-b, role: worker, mac: "d8:3a:dd:00:00:0b" }',
      '',
    ].join('\n'),
  );
}

const cli = (args: string[]) => runCli(args, { cwd: work });

describe('osbuild netboot', () => {
  it('has --help on every subcommand', async () => {
    for (const sub of [[], ['render'], ['import'], ['reset'], ['power']]) {
      const r = await cli(['netboot', ...sub, '--help']);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(/Usage: osbuild netboot/);
    }
  });

  it('import, render and reset with -o json', async () => {
    await writeConfig();
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    const imported = await cli(['netboot', 'import', src, '-o', 'json']);
    expect(imported.code).toBe(EXIT.ok);
    expect(JSON.parse(imported.stdout)).toMatchObject({ version: 'v1', imported: true });

    const rendered = await cli(['netboot', 'render', '--inventory', 'nodes.yaml', '-o', 'json']);
    expect(rendered.code).toBe(EXIT.ok);
    const report = JSON.parse(rendered.stdout);
    expect(report).toMatchObject({
      changed: true,
      nodes: [{ name: 'pi-a', tftpFolder: 'aabbccdd', root: 'created' }],
    });
    const again = JSON.parse(
      (await cli(['netboot', 'render', '--inventory', 'nodes.yaml', '-o', 'json'])).stdout,
    );
    expect(again).toMatchObject({ changed: false, generation: report.generation });

    const table = await cli(['netboot', 'render', '--inventory', 'nodes.yaml']);
    expect(table.stdout).toContain('pi-a  tftp aabbccdd/  image v1  root kept');

    const reset = await cli(['netboot', 'reset', 'pi-a', '--inventory', 'nodes.yaml', '-o', 'json']);
    expect(reset.code).toBe(EXIT.ok);
    expect(JSON.parse(reset.stdout)).toMatchObject({
      name: 'pi-a',
      replaced: true,
      nfsReload: expect.stringContaining('no reload.nfs command configured'),
    });
    const unknown = await cli(['netboot', 'reset', 'pi-b', '--inventory', 'nodes.yaml']);
    expect(unknown.code).toBe(EXIT.notFound);
    expect(unknown.stderr).toContain('pi-b is not a netboot node');
  });

  it('refuses a tampered image with exit 4 and a clear message', async () => {
    await writeConfig();
    const src = await makeImageVersion(join(work, 'out'), 'v1');
    await appendFile(join(src, 'boot/config.txt'), 'dtoverlay=evil\n');
    const r = await cli(['netboot', 'import', src]);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/boot\/config\.txt does not match manifest\.json/);
  });

  it('render exits 4 when a node cannot be served (image not imported) and says why', async () => {
    await writeConfig();
    const r = await cli(['netboot', 'render', '--inventory', 'nodes.yaml']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stdout).toContain('pi-a  NOT SERVED: image v1 is not imported');
  });

  it('bad configuration exits 2, a bad inventory exits 6', async () => {
    const missing = await cli(['netboot', 'render']);
    expect(missing.code).toBe(EXIT.usage);
    expect(missing.stderr).toMatch(/cannot read netboot config .*netboot\.yaml/);
    await writeFile(join(work, 'netboot.yaml'), 'server: 10.0.10.2\n');
    const invalid = await cli(['netboot', 'render']);
    expect(invalid.code).toBe(EXIT.usage);
    expect(invalid.stderr).toMatch(/netboot\.yaml: network: /);
    await writeConfig();
    await writeFile(
      join(work, 'nodes.yaml'),
      'nodes:\n  - { hostname: pi-a, role: worker, mac: "d8:3a:dd:00:00:0a", netboot: {} }\n',
    );
    const inv = await cli(['netboot', 'render', '--inventory', 'nodes.yaml']);
    expect(inv.code).toBe(EXIT.inventoryInvalid);
    expect(inv.stderr).toContain('a netboot node needs its serial');
  });

  it('power: none configured is said plainly (exit 3)', async () => {
    await writeConfig();
    const r = await cli(['netboot', 'power', 'pi-a']);
    expect(r.code).toBe(EXIT.notFound);
    expect(r.stderr).toContain('no power hook configured for pi-a');
  });

  it('power: runs the argv without a shell, node name in OSBUILD_NODE', async () => {
    const script = join(work, 'hook.sh');
    const out = join(work, 'hook.out');
    await writeFile(
      script,
      `#!/bin/sh\nprintf '%s|%s|%s\\n' "$OSBUILD_NODE" "$1" "$2" > ${out}\necho cycled\n`,
    );
    await chmod(script, 0o755);
    await writeConfig(
      [
        'powerHooks:',
        '  pi-a:',
        `    command: ["${script}", "port-3", "$(touch ${join(work, 'pwned')})"]`,
      ].join('\n'),
    );
    const r = await cli(['netboot', 'power', 'pi-a', '-o', 'json']);
    expect(r.code).toBe(EXIT.ok);
    expect(JSON.parse(r.stdout)).toMatchObject({ ran: true, stdout: 'cycled' });
    expect(await readFile(out, 'utf8')).toBe(`pi-a|port-3|$(touch ${join(work, 'pwned')})\n`);
    await expect(stat(join(work, 'pwned'))).rejects.toThrow();
  });

  it('power: a failing hook exits 4 with its stderr', async () => {
    await writeConfig(
      ['powerHooks:', '  pi-a:', '    command: ["sh", "-c", "echo switch unreachable >&2; exit 3"]'].join(
        '\n',
      ),
    );
    const r = await cli(['netboot', 'power', 'pi-a']);
    expect(r.code).toBe(EXIT.refused);
    expect(r.stderr).toMatch(/power hook for pi-a failed: .*switch unreachable/);
  });
});
