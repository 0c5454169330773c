import { describe, expect, it } from 'vitest';
import { hostPaths } from '../../src/host/paths.js';

describe('hostPaths', () => {
  it('maps node paths below the root', () => {
    const p = hostPaths('/tmp/root');
    expect(p.bootId).toBe('/tmp/root/proc/sys/kernel/random/boot_id');
    expect(p.dtSerialNumber).toBe('/tmp/root/sys/firmware/devicetree/base/serial-number');
    expect(p.defaultStateDir).toBe('/tmp/root/var/lib/osbuild');
    expect(p.resolve('/etc/hosts')).toBe('/tmp/root/etc/hosts');
  });
  it('is the identity on the live root', () => {
    const p = hostPaths('/');
    expect(p.hostname).toBe('/etc/hostname');
    expect(p.resolve('/var/lib/osbuild')).toBe('/var/lib/osbuild');
  });
  it('refuses relative paths and .. escapes', () => {
    const p = hostPaths('/tmp/root');
    expect(() => p.resolve('etc/hosts')).toThrow(/absolute/);
    expect(() => p.resolve('/etc/../../x')).toThrow(/\.\./);
    expect(() => p.resolve('/..')).toThrow(/\.\./);
  });
});
