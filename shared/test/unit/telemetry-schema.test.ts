import { describe, expect, it } from 'vitest';
import { parsePayload } from '../../src/protocol/parse.js';
import {
  TELEMETRY_MAX_BYTES,
  TELEMETRY_MAX_ENTRIES,
  type Telemetry,
  telemetrySchema,
} from '../../src/protocol/telemetry.js';

const sample: Telemetry = {
  v: 1,
  seq: 3,
  at: '2026-11-25T10:00:00.000Z',
  bootId: '3f2a1b7c-0000-4000-8000-000000000a01',
  bootSource: 'sd',
  uptimeSec: 5025.13,
  load: [0.52, 0.58, 0.59],
  cpuPercent: 12.5,
  memory: { totalBytes: 8_323_252_224, availableBytes: 6_442_450_944 },
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
  disks: [{ mount: '/', totalBytes: 62_000_000_000, usedBytes: 12_000_000_000 }],
  net: [{ iface: 'eth0', rxBytes: 123_456_789, txBytes: 98_765_432 }],
  services: { containerd: 'active', kubelet: 'inactive' },
  imageVersion: '2026.11.0',
  agentVersion: '0.1.0',
  nvme: null,
};

/** The largest sample the schema admits: every array full, every string at its cap. */
function largest(): Telemetry {
  const big = 2 ** 53 - 1;
  return {
    ...sample,
    seq: big,
    at: 'x'.repeat(40),
    bootId: 'b'.repeat(64),
    uptimeSec: big,
    load: [big, big, big],
    memory: { totalBytes: big, availableBytes: big },
    disks: Array.from({ length: TELEMETRY_MAX_ENTRIES }, () => ({
      mount: `/${'m'.repeat(127)}`,
      totalBytes: big,
      usedBytes: big,
    })),
    net: Array.from({ length: TELEMETRY_MAX_ENTRIES }, () => ({
      iface: 'i'.repeat(32),
      rxBytes: big,
      txBytes: big,
    })),
    imageVersion: 'v'.repeat(64),
    agentVersion: 'a'.repeat(64),
    nvme: {
      device: 'n'.repeat(32),
      model: 'M'.repeat(64),
      temperatureC: -59.123456789,
      percentUsed: 255,
      criticalWarning: 255,
    },
    throttled: { ...(sample.throttled as NonNullable<Telemetry['throttled']>), raw: '0xffffffff' },
  };
}

describe('telemetry schema', () => {
  it('accepts a typical sample unchanged', () => {
    expect(parsePayload(telemetrySchema, JSON.stringify(sample))).toEqual({ ok: true, value: sample });
  });

  it('keeps the largest valid sample under TELEMETRY_MAX_BYTES', () => {
    const max = largest();
    expect(telemetrySchema.safeParse(max).success).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(max))).toBeLessThan(TELEMETRY_MAX_BYTES);
  });

  it('rejects arrays beyond the cap and over-long strings, naming the field', () => {
    const tooManyNics = {
      ...sample,
      net: Array.from({ length: TELEMETRY_MAX_ENTRIES + 1 }, (_, i) => ({
        iface: `eth${i}`,
        rxBytes: 0,
        txBytes: 0,
      })),
    };
    expect(parsePayload(telemetrySchema, JSON.stringify(tooManyNics))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^net:/),
    });
    const longMount = { ...sample, disks: [{ mount: `/${'x'.repeat(128)}`, totalBytes: 1, usedBytes: 0 }] };
    expect(parsePayload(telemetrySchema, JSON.stringify(longMount))).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^disks\.0\.mount:/),
    });
  });

  it('rejects impossible values: negative bytes, a bad raw field, an unknown service state', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...sample, memory: { totalBytes: -1, availableBytes: 0 } }, /^memory\.totalBytes:/],
      [{ ...sample, throttled: { ...sample.throttled, raw: '50005' } }, /^throttled\.raw:/],
      [{ ...sample, services: { containerd: 'running', kubelet: 'active' } }, /^services\.containerd:/],
      [{ ...sample, cpuPercent: 101 }, /^cpuPercent:/],
      [{ ...sample, load: [1, 2] }, /^load/],
    ];
    for (const [value, error] of cases) {
      expect(parsePayload(telemetrySchema, JSON.stringify(value))).toMatchObject({
        ok: false,
        error: expect.stringMatching(error),
      });
    }
  });
});
