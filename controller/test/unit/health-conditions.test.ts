import type { Telemetry } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { DEFAULT_HEALTH, evaluateConditions } from '../../src/health/conditions.js';

const NOW = new Date('2026-11-25T12:00:00Z');
const healthy: Telemetry = {
  v: 1,
  seq: 3,
  at: '2026-11-25T11:59:55Z',
  bootId: 'b1',
  bootSource: 'nvme',
  uptimeSec: 100,
  load: [0.1, 0.1, 0.1],
  cpuPercent: 5,
  memory: { totalBytes: 8e9, availableBytes: 6e9 },
  socTempC: 50,
  throttled: {
    raw: '0x0',
    underVoltageNow: false,
    armFreqCappedNow: false,
    throttledNow: false,
    softTempLimitNow: false,
    underVoltageOccurred: false,
    armFreqCappedOccurred: false,
    throttledOccurred: false,
    softTempLimitOccurred: false,
  },
  disks: [{ mount: '/', totalBytes: 100, usedBytes: 40 }],
  net: [],
  services: { containerd: 'active', kubelet: 'active' },
  imageVersion: null,
  agentVersion: '0.1.0',
  nvme: null,
};
const fresh = (sample: Telemetry) => ({ sample, receivedAt: '2026-11-25T11:59:55Z' });
const types = (c: { type: string }[]) => c.map((x) => x.type);

describe('evaluateConditions', () => {
  it('reports nothing for a healthy node, or before any telemetry', () => {
    expect(evaluateConditions({ phase: 'ready', online: true }, fresh(healthy), NOW)).toEqual([]);
    expect(evaluateConditions({ phase: 'ready', online: true }, null, NOW)).toEqual([]);
  });

  it('grades temperature and disk use against the thresholds', () => {
    const warm = evaluateConditions(
      { phase: 'provisioned', online: true },
      fresh({ ...healthy, socTempC: 78 }),
      NOW,
    );
    expect(warm).toEqual([
      { type: 'temperature-high', severity: 'warning', reason: 'SoC at 78.0 °C (warning from 75 °C)' },
    ]);
    const hot = evaluateConditions(
      { phase: 'provisioned', online: true },
      fresh({ ...healthy, socTempC: 84.5 }),
      NOW,
    );
    expect(hot[0]).toMatchObject({ severity: 'critical' });
    const full = evaluateConditions(
      { phase: 'provisioned', online: true },
      fresh({ ...healthy, disks: [{ mount: '/var/lib/containerd', totalBytes: 100, usedBytes: 96 }] }),
      NOW,
    );
    expect(full).toEqual([
      { type: 'disk-full', severity: 'critical', reason: '/var/lib/containerd is 96% full' },
    ]);
    // Thresholds come from the controller's configuration.
    expect(
      types(
        evaluateConditions({ phase: 'provisioned', online: true }, fresh({ ...healthy, socTempC: 78 }), NOW, {
          ...DEFAULT_HEALTH,
          temperatureWarnC: 80,
        }),
      ),
    ).toEqual([]);
  });

  it('reports under-voltage and throttling now, not what merely occurred since boot', () => {
    const flags = {
      ...healthy.throttled!,
      raw: '0x50005',
      underVoltageNow: true,
      throttledNow: true,
      underVoltageOccurred: true,
    };
    expect(
      types(
        evaluateConditions({ phase: 'ready', online: true }, fresh({ ...healthy, throttled: flags }), NOW),
      ),
    ).toEqual(['under-voltage', 'throttled']);
    const past = {
      ...healthy.throttled!,
      raw: '0x50000',
      underVoltageOccurred: true,
      throttledOccurred: true,
    };
    expect(
      evaluateConditions({ phase: 'ready', online: true }, fresh({ ...healthy, throttled: past }), NOW),
    ).toEqual([]);
  });

  it('expects a running kubelet only once the node has joined', () => {
    const stopped = fresh({ ...healthy, services: { containerd: 'active', kubelet: 'inactive' } });
    expect(evaluateConditions({ phase: 'provisioned', online: true }, stopped, NOW)).toEqual([]);
    expect(evaluateConditions({ phase: 'ready', online: true }, stopped, NOW)).toEqual([
      { type: 'kubelet-down', severity: 'critical', reason: 'kubelet is inactive' },
    ]);
  });

  it('calls telemetry stale when an online node has been silent too long, by the controller clock', () => {
    const old = { sample: healthy, receivedAt: '2026-11-25T11:58:00Z' };
    expect(evaluateConditions({ phase: 'ready', online: true }, old, NOW)).toEqual([
      {
        type: 'telemetry-stale',
        severity: 'warning',
        reason: 'no telemetry for 120 s while online (limit 45 s)',
      },
    ]);
    // Offline nodes are already shown offline; silence is expected then.
    expect(evaluateConditions({ phase: 'ready', online: false }, old, NOW)).toEqual([]);
  });
});
