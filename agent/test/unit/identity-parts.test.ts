import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNics, sortNics } from '../../src/identity/nics.js';
import { normaliseSerial, pickSerial, serialFromCpuinfo } from '../../src/identity/serial.js';

describe('serial numbers', () => {
  it('strips NULs and whitespace and lowercases', () => {
    expect(normaliseSerial('10000000ABCDEF01\0\n')).toBe('10000000abcdef01');
  });
  it('treats all-zero and garbage as no serial', () => {
    expect(normaliseSerial('0000000000000000\0')).toBeNull();
    expect(normaliseSerial('not-a-serial')).toBeNull();
    expect(normaliseSerial(null)).toBeNull();
  });
  it('falls back to the cpuinfo Serial line', () => {
    expect(serialFromCpuinfo('Revision\t: d04170\nSerial\t\t: 10000000000000a2\nModel\t: x\n')).toBe(
      '10000000000000a2',
    );
    expect(pickSerial(null, 'Serial\t\t: 00000000\n')).toBeNull();
    expect(pickSerial('10000000000000a1\0', 'Serial : 10000000000000b2')).toBe('10000000000000a1');
  });
});

describe('physical NICs', () => {
  it('orders eth0, then end0, then by name', () => {
    const sorted = sortNics([
      { name: 'wlan0', mac: 'a' },
      { name: 'end0', mac: 'b' },
      { name: 'eth1', mac: 'c' },
      { name: 'eth0', mac: 'd' },
    ]);
    expect(sorted.map((n) => n.name)).toEqual(['eth0', 'end0', 'eth1', 'wlan0']);
  });

  it('keeps only entries with a device and a non-zero address', async () => {
    const net = await mkdtemp(path.join(tmpdir(), 'osbuild-net-'));
    const nic = async (name: string, mac: string, device: boolean) => {
      await mkdir(path.join(net, name), { recursive: true });
      await writeFile(path.join(net, name, 'address'), `${mac}\n`);
      if (device) await mkdir(path.join(net, name, 'device'));
    };
    await nic('end0', 'DC:A6:32:00:00:01', true);
    await nic('br0', 'dc:a6:32:00:00:02', false);
    await nic('usb0', '00:00:00:00:00:00', true);
    expect(await readNics(net)).toEqual([{ name: 'end0', mac: 'dc:a6:32:00:00:01' }]);
    expect(await readNics(path.join(net, 'missing'))).toEqual([]);
  });
});
