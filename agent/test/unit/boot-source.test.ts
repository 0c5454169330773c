import { describe, expect, it } from 'vitest';
import { bootSourceFrom } from '../../src/identity/boot-source.js';

const m = (...lines: string[]) => `${lines.join('\n')}\n`;

describe('boot source rules', () => {
  it('nfs and nfs4 roots are netboot', () => {
    expect(bootSourceFrom(m('10.0.0.1:/srv/root / nfs rw 0 0'), '')).toBe('netboot');
    expect(bootSourceFrom(m('10.0.0.1:/srv/root / nfs4 rw 0 0'), '')).toBe('netboot');
  });
  it('classifies block devices', () => {
    expect(bootSourceFrom(m('/dev/nvme0n1p2 / ext4 rw 0 0'), '')).toBe('nvme');
    expect(bootSourceFrom(m('/dev/mmcblk0p2 / ext4 rw 0 0'), '')).toBe('sd');
    expect(bootSourceFrom(m('/dev/sda2 / ext4 rw 0 0'), '')).toBe('usb');
  });
  it('uses the last mount on / (later mounts shadow earlier ones)', () => {
    expect(
      bootSourceFrom(
        m('/dev/mmcblk0p2 / ext4 rw 0 0', 'proc /proc proc rw 0 0', '/dev/nvme0n1p2 / ext4 rw 0 0'),
        '',
      ),
    ).toBe('nvme');
  });
  it('falls back to root=/dev/nfs on the kernel command line', () => {
    expect(
      bootSourceFrom(m('/dev/root / ext4 rw 0 0'), 'console=tty1 root=/dev/nfs nfsroot=10.0.0.1:/x rw'),
    ).toBe('netboot');
    expect(bootSourceFrom(null, 'root=/dev/nfs')).toBe('netboot');
  });
  it('is other when nothing matches', () => {
    expect(bootSourceFrom(m('overlay / overlay rw 0 0'), 'root=PARTUUID=1234-02')).toBe('other');
    expect(bootSourceFrom(null, null)).toBe('other');
    expect(bootSourceFrom(m('overlay / overlay rw 0 0'), 'root=/dev/nfsx')).toBe('other');
  });
});
