import { describe, expect, it } from 'vitest';
import {
  planBootFiles,
  renderBootOsbuildYaml,
  renderCmdline,
  renderConfigTxt,
  rootPartuuid,
} from '../../src/boot-files.js';
import { profiles } from '../../src/profiles.js';

const { qemu, rpi5 } = profiles('/keyrings');
const KVER_RPI = '6.6.51+rpt-rpi-2712';
const RPI_TREE = [
  `boot/vmlinuz-${KVER_RPI}`,
  `boot/initrd.img-${KVER_RPI}`,
  `boot/config-${KVER_RPI}`,
  `usr/lib/linux-image-${KVER_RPI}/broadcom/bcm2712-rpi-5-b.dtb`,
  `usr/lib/linux-image-${KVER_RPI}/broadcom/bcm2712d0-rpi-5-b.dtb`,
  `usr/lib/linux-image-${KVER_RPI}/broadcom/bcm2711-rpi-4-b.dtb`,
  `usr/lib/linux-image-${KVER_RPI}/overlays/README`,
  `usr/lib/linux-image-${KVER_RPI}/overlays/disable-bt.dtbo`,
];

describe('rpi5 boot partition', () => {
  it('cmdline.txt enables the memory cgroup and names the root by the fixed disk id', () => {
    const line = renderCmdline(rpi5);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2); // the firmware reads one line
    const params = line.trim().split(' ');
    expect(params).toContain('cgroup_enable=memory');
    expect(params).toContain('cgroup_memory=1');
    expect(params).toContain(`root=PARTUUID=${rpi5.diskId}-02`);
    expect(params).toContain('rootwait');
    expect(rootPartuuid(rpi5)).toBe('0a5b1d50-02');
  });

  it('config.txt has a [pi5] section naming the 2712 kernel and its initramfs', () => {
    const lines = renderConfigTxt().split('\n');
    const pi5 = lines.indexOf('[pi5]');
    const all = lines.indexOf('[all]');
    expect(pi5).toBeGreaterThan(-1);
    expect(all).toBeGreaterThan(pi5);
    const section = lines.slice(pi5, all);
    expect(section).toContain('kernel=kernel_2712.img');
    expect(section).toContain('initramfs initramfs_2712 followkernel');
    expect(lines.slice(0, pi5)).toContain('arm_64bit=1');
  });

  it('takes the kernel, initramfs, both bcm2712 device trees and the overlays from the tree', () => {
    const files = planBootFiles(rpi5, RPI_TREE);
    const byDest = new Map(files.map((f) => [f.dest, f]));
    expect(byDest.get('kernel_2712.img')).toEqual({
      dest: 'kernel_2712.img',
      from: `boot/vmlinuz-${KVER_RPI}`,
    });
    expect(byDest.get('initramfs_2712')).toEqual({
      dest: 'initramfs_2712',
      from: `boot/initrd.img-${KVER_RPI}`,
    });
    expect([...byDest.keys()].filter((d) => d.endsWith('.dtb')).sort()).toEqual([
      'bcm2712-rpi-5-b.dtb',
      'bcm2712d0-rpi-5-b.dtb',
    ]);
    expect(byDest.has('overlays/disable-bt.dtbo')).toBe(true);
    expect(byDest.get('config.txt')).toEqual({ dest: 'config.txt', content: renderConfigTxt() });
    expect(byDest.get('cmdline.txt')).toEqual({ dest: 'cmdline.txt', content: renderCmdline(rpi5) });
    expect(byDest.get('osbuild.yaml')).toEqual({ dest: 'osbuild.yaml', content: renderBootOsbuildYaml() });
  });

  it('refuses a tree without bcm2712 device trees or overlays', () => {
    expect(() =>
      planBootFiles(
        rpi5,
        RPI_TREE.filter((p) => !p.includes('bcm2712')),
      ),
    ).toThrow(/no bcm2712 device trees/);
    expect(() =>
      planBootFiles(
        rpi5,
        RPI_TREE.filter((p) => !p.includes('overlays')),
      ),
    ).toThrow(/no device tree overlays/);
  });
});

describe('qemu boot folder', () => {
  const KVER = '6.1.0-41-arm64';
  const tree = [`boot/vmlinuz-${KVER}`, `boot/initrd.img-${KVER}`, `boot/System.map-${KVER}`];

  it('exports vmlinuz and initrd.img under fixed names, and a console on the PL011 UART', () => {
    const files = planBootFiles(qemu, tree);
    expect(files.map((f) => f.dest)).toEqual(['vmlinuz', 'initrd.img', 'cmdline.txt', 'osbuild.yaml']);
    expect(renderCmdline(qemu)).toContain('console=ttyAMA0');
    expect(renderCmdline(qemu)).toContain('root=PARTUUID=0a5b1d00-02');
    expect(renderCmdline(qemu)).not.toContain('cgroup_enable');
  });

  it('refuses zero or two kernels, and a kernel without initramfs', () => {
    expect(() => planBootFiles(qemu, [])).toThrow(/expected one kernel in \/boot, found 0: none/);
    expect(() => planBootFiles(qemu, [...tree, 'boot/vmlinuz-6.1.0-40-arm64'])).toThrow(/found 2/);
    expect(() => planBootFiles(qemu, [`boot/vmlinuz-${KVER}`])).toThrow(
      /no initramfs for kernel 6.1.0-41-arm64/,
    );
  });

  it('ships osbuild.yaml with every key commented out, so an unedited image sets nothing', () => {
    const active = renderBootOsbuildYaml()
      .split('\n')
      .filter((l) => l.trim() && !l.trim().startsWith('#'));
    expect(active).toEqual([]);
  });
});
