import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import {
  cpuPercent,
  parseCpuTimes,
  parseLoadavg,
  parseMeminfo,
  parseMilliCelsius,
  parseNetDev,
  parseUptime,
} from '../../src/telemetry/proc-parsers.js';

// Reads the fixtures in place (read-only), so the exact values below are the files' contents.
const fixture = (board: string, file: string) => readFile(path.join(HOST_FIXTURES, board, file), 'utf8');

describe('telemetry /proc and /sys parsers (fixture text)', () => {
  it('parses loadavg, uptime and meminfo of pi5-a exactly', async () => {
    expect(parseLoadavg(await fixture('pi5-a', 'proc/loadavg'))).toEqual([0.52, 0.58, 0.59]);
    expect(parseUptime(await fixture('pi5-a', 'proc/uptime'))).toBe(5025.13);
    expect(parseMeminfo(await fixture('pi5-a', 'proc/meminfo'))).toEqual({
      totalBytes: 8128176 * 1024,
      availableBytes: 6291456 * 1024,
    });
  });

  it('falls back to MemFree without MemAvailable, and returns null for text it cannot read', () => {
    expect(parseMeminfo('MemTotal: 100 kB\nMemFree: 40 kB\n')).toEqual({
      totalBytes: 102400,
      availableBytes: 40960,
    });
    expect(parseMeminfo('')).toBeNull();
    expect(parseLoadavg('0.1 x 0.3')).toBeNull();
    expect(parseLoadavg(null)).toBeNull();
    expect(parseUptime('')).toBeNull();
    expect(parseMilliCelsius('hot')).toBeNull();
  });

  it('reads SoC temperature in millidegrees', async () => {
    expect(parseMilliCelsius(await fixture('pi5-a', 'sys/class/thermal/thermal_zone0/temp'))).toBe(52.65);
    expect(parseMilliCelsius(await fixture('pi5-b', 'sys/class/thermal/thermal_zone0/temp'))).toBe(61.2);
    expect(parseMilliCelsius('-5000\n')).toBe(-5);
  });

  it('sums the aggregate cpu line without guest time, idle including iowait', async () => {
    // user 10000 nice 500 system 3000 idle 80000 iowait 1500 irq 0 softirq 200 steal 0
    expect(parseCpuTimes(await fixture('pi5-a', 'proc/stat'))).toEqual({ busy: 13700, total: 95200 });
    // guest (9th field) is already inside user: it must not count twice
    expect(parseCpuTimes('cpu  100 0 0 100 0 0 0 0 50 0\n')).toEqual({ busy: 100, total: 200 });
  });

  it('computes CPU percent between two samples, null without a previous one or elapsed time', () => {
    expect(cpuPercent({ busy: 13700, total: 95200 }, { busy: 14700, total: 99200 })).toBe(25);
    expect(cpuPercent({ busy: 0, total: 0 }, { busy: 1, total: 3 })).toBe(33.3);
    expect(cpuPercent(null, { busy: 1, total: 3 })).toBeNull();
    expect(cpuPercent({ busy: 1, total: 3 }, { busy: 1, total: 3 })).toBeNull();
  });

  it('reads net counters of the node interfaces, skipping lo and per-pod interfaces', async () => {
    expect(parseNetDev(await fixture('pi5-a', 'proc/net/dev'), 16)).toEqual([
      { iface: 'eth0', rxBytes: 123456789, txBytes: 98765432 },
      { iface: 'wlan0', rxBytes: 5000, txBytes: 6000 },
    ]);
    expect(parseNetDev(await fixture('pi5-c', 'proc/net/dev'), 16)).toEqual([
      { iface: 'eth0', rxBytes: 5000000000, txBytes: 4000000000 },
    ]);
    expect(parseNetDev(await fixture('pi5-a', 'proc/net/dev'), 1)).toHaveLength(1);
    expect(parseNetDev(null, 16)).toEqual([]);
  });
});
