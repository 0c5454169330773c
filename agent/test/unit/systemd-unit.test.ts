import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const UNIT = new URL('../../systemd/osbuild-agent.service', import.meta.url);

/** Directives of the unit as `Section.Key` -> values (comments dropped). */
async function directives(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const raw of (await readFile(UNIT, 'utf8')).split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!;
      continue;
    }
    const eq = line.indexOf('=');
    const key = `${section}.${line.slice(0, eq)}`;
    out.set(key, [...(out.get(key) ?? []), line.slice(eq + 1)]);
  }
  return out;
}

describe('osbuild-agent.service', () => {
  it('starts after the network is online, restarts forever with back-off, keeps its state dir', async () => {
    const d = await directives();
    expect(d.get('Unit.After')).toEqual(['network-online.target']);
    expect(d.get('Unit.Wants')).toEqual(['network-online.target']);
    expect(d.get('Unit.StartLimitIntervalSec')).toEqual(['0']);
    expect(d.get('Service.Restart')).toEqual(['always']);
    expect(d.get('Service.RestartSec')).toBeDefined();
    expect(d.get('Service.StateDirectory')).toEqual(['osbuild']);
    expect(d.get('Service.ExecStart')).toEqual(['/usr/local/bin/osbuild-agent run']);
  });

  it('kills the whole cgroup, steps included, when the agent stops or dies', async () => {
    expect((await directives()).get('Service.KillMode')).toEqual(['control-group']);
  });

  it('hardens only with directives that leave /etc writable and mounts visible', async () => {
    const d = await directives();
    expect(d.get('Service.NoNewPrivileges')).toEqual(['yes']);
    for (const key of ['ProtectSystem', 'ProtectHome', 'PrivateTmp', 'ProtectKernelModules', 'User']) {
      expect(d.has(`Service.${key}`), key).toBe(false);
    }
  });
});
