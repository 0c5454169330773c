import { describe, expect, it } from 'vitest';
import type { Exec } from '../../src/host/exec.js';
import { hostPaths } from '../../src/host/paths.js';
import { decodeThrottled, parseThrottledOutput, readThrottled } from '../../src/telemetry/throttled.js';

const none = {
  underVoltageNow: false,
  armFreqCappedNow: false,
  throttledNow: false,
  softTempLimitNow: false,
  underVoltageOccurred: false,
  armFreqCappedOccurred: false,
  throttledOccurred: false,
  softTempLimitOccurred: false,
};

describe('get_throttled bit decoding (Raspberry Pi documentation)', () => {
  it('maps bits 0-3 to "now" and 16-19 to "occurred"', () => {
    const bits: [number, keyof typeof none][] = [
      [0, 'underVoltageNow'],
      [1, 'armFreqCappedNow'],
      [2, 'throttledNow'],
      [3, 'softTempLimitNow'],
      [16, 'underVoltageOccurred'],
      [17, 'armFreqCappedOccurred'],
      [18, 'throttledOccurred'],
      [19, 'softTempLimitOccurred'],
    ];
    for (const [bit, flag] of bits) {
      expect(decodeThrottled(1 << bit)).toEqual({
        ...none,
        raw: `0x${(1 << bit).toString(16)}`,
        [flag]: true,
      });
    }
  });

  it('decodes the classic under-voltage value 0x50005 and ignores unrelated bits', () => {
    expect(parseThrottledOutput('throttled=0x50005\n')).toEqual({
      ...none,
      raw: '0x50005',
      underVoltageNow: true,
      throttledNow: true,
      underVoltageOccurred: true,
      throttledOccurred: true,
    });
    expect(parseThrottledOutput('throttled=0x0')).toEqual({ ...none, raw: '0x0' });
    expect(decodeThrottled(0xfff0fff0)).toEqual({ ...none, raw: '0xfff0fff0' });
    expect(decodeThrottled(0xffffffff).raw).toBe('0xffffffff');
  });

  it('returns null for output that is not get_throttled', () => {
    expect(parseThrottledOutput('error=1 error_msg="Command not registered"')).toBeNull();
    expect(parseThrottledOutput('')).toBeNull();
    expect(parseThrottledOutput(null)).toBeNull();
  });

  it('runs vcgencmd get_throttled through exec on the live root, null when it fails', async () => {
    const calls: string[] = [];
    const ok: Exec = async (file, args) => {
      calls.push([file, ...args].join(' '));
      return { exitCode: 0, signal: null, stdout: 'throttled=0x20002\n', stderr: '', spawnError: null };
    };
    const t = await readThrottled(hostPaths('/'), ok);
    expect(calls).toEqual(['vcgencmd get_throttled']);
    expect(t).toMatchObject({ raw: '0x20002', armFreqCappedNow: true, armFreqCappedOccurred: true });
    const missing: Exec = async () => ({
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: '',
      spawnError: 'spawn vcgencmd ENOENT',
    });
    expect(await readThrottled(hostPaths('/'), missing)).toBeNull();
  });
});
