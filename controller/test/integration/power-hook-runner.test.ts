// The PowerHooks seam from netboot.yaml with the real exec: what the hook sees, how it fails, and
// the queued reason of a command for an offline node.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { netbootPowerHooks } from '../../src/netboot/power-hook.js';
import { offlineQueueReason } from '../../src/operator-commands/power-cycle.js';
import { netbootConfig } from '../support/netboot-fixture.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function hooksWith(script: string, extra: Record<string, unknown> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-power-hook-'));
  dirs.push(dir);
  const file = join(dir, 'hook.sh');
  await writeFile(file, script);
  await chmod(file, 0o755);
  const config = netbootConfig(join(dir, 'srv'), {
    powerHooks: {
      'w-01': { command: [file, 'cycle', 'w-01; rm -rf /'], ...extra },
      'w-02': { command: [join(dir, 'absent')] },
    },
  });
  return netbootPowerHooks(config, exec);
}

describe('netboot power hooks (real exec, real shell scripts)', () => {
  it('runs argv without a shell; the environment names the node and nothing else of ours', async () => {
    const hooks = await hooksWith(
      '#!/bin/sh\nprintf "%s\\n" "$@"\nenv | grep -v "^PWD=\\|^SHLVL=\\|^_=" | sort\n',
    );
    expect(hooks.hookFor('w-01')).toHaveLength(3);
    expect(hooks.hookFor('w-03')).toBeUndefined();
    const out = await hooks.run({ name: 'w-01', nodeId: 'pi-1', serial: 'abc', mac: 'dc:a6:32:00:00:0b' });
    expect(out.ok).toBe(true);
    expect(out.stdout.split('\n')).toEqual([
      'cycle',
      'w-01; rm -rf /',
      'OSBUILD_NODE=w-01',
      'OSBUILD_NODE_ID=pi-1',
      'OSBUILD_NODE_MAC=dc:a6:32:00:00:0b',
      'OSBUILD_NODE_SERIAL=abc',
      `PATH=${process.env.PATH}`,
    ]);
  });

  it('reports a missing program, a non-zero exit and a timeout, each with why', async () => {
    const hooks = await hooksWith('#!/bin/sh\necho "no route to switch" >&2\nexit 7\n');
    const failed = await hooks.run({ name: 'w-01' });
    expect(failed).toMatchObject({
      ok: false,
      exitCode: 7,
      why: 'exit code 7',
      stderr: 'no route to switch',
    });
    const missing = await hooks.run({ name: 'w-02' });
    expect(missing.ok).toBe(false);
    expect(missing.exitCode).toBeNull();
    expect(missing.why).toMatch(/^could not be started: .*ENOENT/);
    expect(missing.stderr + missing.stdout).toBe('');
    // The hook's own child (sleep) holds the output pipe: the whole process group goes at 1 s.
    const slow = await hooksWith('#!/bin/sh\necho starting\nsleep 20\necho never\n', { timeoutSec: 1 });
    const started = Date.now();
    expect(await slow.run({ name: 'w-01' })).toMatchObject({
      ok: false,
      exitCode: null,
      why: 'timed out after 1 s',
      stdout: 'starting',
    });
    expect(Date.now() - started).toBeLessThan(8_000);
    await expect(hooks.run({ name: 'w-03' })).rejects.toThrow(
      'no power hook configured for w-03 (netboot.yaml powerHooks.w-03)',
    );
  });

  it('says in the queued reason whether a hook will be used, is missing, or cannot help', async () => {
    const hooks = await hooksWith('#!/bin/sh\n');
    const netboot = { boot_source: 'netboot' as const };
    const nvme = { boot_source: 'nvme' as const };
    const at = '2026-11-26T07:00:00.000Z';
    expect(offlineQueueReason('w-01', 'reprovision', netboot, hooks, at)).toBe(
      'w-01 is offline; power-cycling it through its power hook',
    );
    expect(offlineQueueReason('w-03', 'reprovision', netboot, undefined, at)).toBe(
      `w-03 is offline and no power hook is configured (netboot.yaml powerHooks.w-03); the command waits until it comes back, then its root is reset and it reboots (expires ${at})`,
    );
    expect(offlineQueueReason('w-03', 'reboot', nvme, hooks, at)).toBe(
      `w-03 is offline and no power hook is configured (netboot.yaml powerHooks.w-03); the command waits until it comes back, then the command is sent to its agent (expires ${at})`,
    );
    // No hooks at all, or a command a power cycle cannot carry out: the plain queue.
    expect(offlineQueueReason('w-03', 'reboot', nvme, undefined, at)).toBe(
      `w-03 is offline; the command waits until it comes online (expires ${at})`,
    );
    expect(offlineQueueReason('w-01', 'reprovision', nvme, hooks, at)).toBe(
      `w-01 is offline; the command waits until it comes online (expires ${at})`,
    );
    expect(offlineQueueReason('w-01', 'run', netboot, hooks, at)).toBe(
      `w-01 is offline; the command waits until it comes online (expires ${at})`,
    );
  });
});
