import { rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Identity } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import type { Exec } from '../../src/host/exec.js';
import { hostPaths } from '../../src/host/paths.js';
import { readIdentity } from '../../src/identity/read-identity.js';
import { TelemetryCollector } from '../../src/telemetry/collector.js';
import { readDisks, realStatFs, type StatFs } from '../../src/telemetry/disks.js';
import { readServiceStates } from '../../src/telemetry/services.js';

const AT = new Date('2026-11-25T10:00:00.000Z');

/** Every existing path's filesystem: 1,000,000 blocks of 4 KiB, 250,000 free (missing: ENOENT). */
const fakeStatFs: StatFs = async (file) => {
  await stat(file);
  return { bsize: 4096, blocks: 1_000_000, bfree: 250_000 };
};

/** Fixture roots must never run anything: any exec call fails the test. */
const noExec: Exec = async (file) => {
  throw new Error(`unexpected exec of ${file} on a fixture root`);
};

async function board(name: string) {
  const root = await copyHostFixture(name);
  const paths = hostPaths(root);
  const identity: Identity = await readIdentity(paths, { agentVersion: '0.1.0' });
  const collector = new TelemetryCollector({ paths, exec: noExec, statfs: fakeStatFs, now: () => AT });
  return { root, paths, identity, collector };
}

describe('telemetry collection on fixture host roots', () => {
  it('pi5-a: exact values, throttling and services from the run/osbuild fixture seam', async () => {
    const { identity, collector } = await board('pi5-a');
    const t = await collector.collect(7, identity);
    const disk = { totalBytes: 4_096_000_000, usedBytes: 3_072_000_000 };
    expect(t).toEqual({
      v: 1,
      seq: 7,
      at: '2026-11-25T10:00:00.000Z',
      bootId: identity.bootId,
      bootSource: 'sd',
      uptimeSec: 5025.13,
      load: [0.52, 0.58, 0.59],
      cpuPercent: null,
      memory: { totalBytes: 8128176 * 1024, availableBytes: 6291456 * 1024 },
      socTempC: 52.65,
      throttled: {
        raw: '0x50005',
        underVoltageNow: true,
        armFreqCappedNow: false,
        throttledNow: true,
        softTempLimitNow: false,
        underVoltageOccurred: true,
        armFreqCappedOccurred: false,
        throttledOccurred: true,
        softTempLimitOccurred: false,
      },
      // pi5-a has /var/lib/containerd but no /var/lib/kubelet
      disks: [
        { mount: '/', ...disk },
        { mount: '/var/lib/containerd', ...disk },
      ],
      net: [
        { iface: 'eth0', rxBytes: 123456789, txBytes: 98765432 },
        { iface: 'wlan0', rxBytes: 5000, txBytes: 6000 },
      ],
      services: { containerd: 'active', kubelet: 'inactive' },
      imageVersion: '2026.11.0',
      agentVersion: '0.1.0',
      nvme: null,
    });
  });

  it('computes CPU use from the previous /proc/stat sample of the same collector', async () => {
    const { root, identity, collector } = await board('pi5-a');
    expect((await collector.collect(0, identity)).cpuPercent).toBeNull();
    // +1,000 busy ticks (user) and +3,000 idle ticks since the fixture's sample
    await writeFile(path.join(root, 'proc/stat'), 'cpu  11000 500 3000 83000 1500 0 200 0 0 0\n');
    expect((await collector.collect(1, identity)).cpuPercent).toBe(25);
  });

  it('pi5-c: NVMe summary from sysfs, both state dirs, soft temperature limit occurred (fixture seam)', async () => {
    const { identity, collector } = await board('pi5-c');
    const t = await collector.collect(0, identity);
    expect(t.bootSource).toBe('nvme');
    expect(t.nvme).toEqual({
      device: 'nvme0',
      model: 'Samsung SSD 980 500GB',
      temperatureC: 38.85,
      percentUsed: null,
      criticalWarning: null,
    });
    expect(t.disks.map((d) => d.mount)).toEqual(['/', '/var/lib/containerd', '/var/lib/kubelet']);
    expect(t.throttled).toMatchObject({
      raw: '0x80000',
      softTempLimitOccurred: true,
      softTempLimitNow: false,
    });
    expect(t.services).toEqual({ containerd: 'active', kubelet: 'active' });
    expect(t.socTempC).toBe(48.9);
  });

  it('pi5-b: services unknown without fixture state files, nothing throttled, no state dirs', async () => {
    const { identity, collector } = await board('pi5-b');
    const t = await collector.collect(0, identity);
    expect(t.services).toEqual({ containerd: 'unknown', kubelet: 'unknown' });
    expect(t.throttled).toMatchObject({ raw: '0x0', underVoltageNow: false, throttledOccurred: false });
    expect(t.disks.map((d) => d.mount)).toEqual(['/']);
    expect(t.imageVersion).toBeNull();
  });

  it('statfs of the real paths below the root skips those that are missing', async () => {
    const { paths } = await board('pi5-a');
    const disks = await readDisks(paths, realStatFs);
    expect(disks.map((d) => d.mount)).toEqual(['/', '/var/lib/containerd']);
    for (const d of disks) {
      expect(d.totalBytes).toBeGreaterThan(0);
      expect(d.usedBytes).toBeLessThanOrEqual(d.totalBytes);
    }
  });

  it('without the throttled fixture file reports null, never running vcgencmd off the live root', async () => {
    const { root, identity } = await board('pi5-a');
    await rm(path.join(root, 'run/osbuild/throttled'));
    const collector = new TelemetryCollector({
      paths: hostPaths(root),
      exec: noExec,
      statfs: fakeStatFs,
      now: () => AT,
    });
    expect((await collector.collect(0, identity)).throttled).toBeNull();
  });
});

describe('service state on the live root', () => {
  it('asks systemctl is-active through exec and folds its answers', async () => {
    const answers: Record<string, { exitCode: number; stdout: string }> = {
      'containerd.service': { exitCode: 0, stdout: 'active\n' },
      'kubelet.service': { exitCode: 3, stdout: 'activating\n' },
    };
    const calls: string[] = [];
    const exec: Exec = async (file, args) => {
      calls.push([file, ...args].join(' '));
      const a = answers[args[1] ?? ''] ?? { exitCode: 4, stdout: '' };
      return { ...a, signal: null, stderr: '', spawnError: null };
    };
    expect(await readServiceStates(hostPaths('/'), exec)).toEqual({
      containerd: 'active',
      kubelet: 'unknown',
    });
    expect(calls.sort()).toEqual([
      'systemctl is-active containerd.service',
      'systemctl is-active kubelet.service',
    ]);
  });
});
