import type { Profile } from './profiles.js';

/** `root=` for a disk image: partition 2 of the fixed MBR disk id, so it is known before flashing. */
export function rootPartuuid(profile: Profile): string {
  return `${profile.diskId}-02`;
}

/**
 * The kernel command line of a disk boot. `net.ifnames=0` keeps the wired interface `eth0` on both
 * profiles, the name inventories use (`network.interface` defaults to eth0).
 */
export function renderCmdline(profile: Profile): string {
  const root = `root=PARTUUID=${rootPartuuid(profile)} rootfstype=ext4 rootwait rw net.ifnames=0`;
  if (profile.boot === 'qemu') return `${root} console=ttyAMA0 panic=-1\n`;
  // cgroup_enable=memory cgroup_memory=1: the Pi kernel leaves the memory controller off by
  // default, and kubelet refuses to run without it.
  return `console=serial0,115200 console=tty1 ${root} fsck.repair=yes cgroup_enable=memory cgroup_memory=1\n`;
}

/**
 * config.txt for the Pi 5 firmware (raspberrypi.com/documentation/computers/config_txt.html).
 * The `[pi5]` section names the 2712 kernel and its initramfs explicitly, so the same boot
 * partition never boots another model's kernel by accident.
 */
export function renderConfigTxt(): string {
  return [
    '# Written by image-build (profile rpi5). Documented in docs/image.md.',
    'arm_64bit=1',
    'enable_uart=1',
    'disable_overscan=1',
    '',
    '[pi5]',
    'kernel=kernel_2712.img',
    'initramfs initramfs_2712 followkernel',
    '# PCIe gen 3 for an NVMe drive (faster, not certified by Raspberry Pi):',
    '#dtparam=pciex1_gen=3',
    '',
    '[all]',
    '',
  ].join('\n');
}

/** /boot/firmware/osbuild.yaml as shipped: every key commented, for a person to fill in. */
export function renderBootOsbuildYaml(): string {
  return [
    '# OSBuild agent settings, read at every boot (docs/image.md). Values here override',
    '# /etc/osbuild/agent.yaml; osbuild.* on the kernel command line overrides both.',
    '#controller: mqtts://10.0.10.2:8883',
    '#ca_fingerprint: <sha256 from `osbuild ca show`>',
    '#claim: <image claim secret>',
    '',
  ].join('\n');
}

/** A file of the boot partition: copied from the tree, or generated. */
export type BootFile = { dest: string; from: string } | { dest: string; content: string };

/**
 * Which files make up the boot partition, given the paths present in the tree (relative, no
 * leading slash). Pure, so the layout of a profile is tested without building it.
 */
export function planBootFiles(profile: Profile, treePaths: readonly string[]): BootFile[] {
  const kernels = treePaths.filter((p) => /^boot\/vmlinuz-/.test(p)).sort();
  if (kernels.length !== 1) {
    throw new Error(`expected one kernel in /boot, found ${kernels.length}: ${kernels.join(', ') || 'none'}`);
  }
  const kernel = kernels[0]!;
  const kver = kernel.slice('boot/vmlinuz-'.length);
  const initrd = `boot/initrd.img-${kver}`;
  if (!treePaths.includes(initrd)) throw new Error(`no initramfs for kernel ${kver} (expected /${initrd})`);
  const common: BootFile[] = [
    { dest: 'cmdline.txt', content: renderCmdline(profile) },
    { dest: 'osbuild.yaml', content: renderBootOsbuildYaml() },
  ];
  if (profile.boot === 'qemu') {
    return [{ dest: 'vmlinuz', from: kernel }, { dest: 'initrd.img', from: initrd }, ...common];
  }
  const dtbDir = `usr/lib/linux-image-${kver}/broadcom/`;
  const dtbs = treePaths.filter((p) => p.startsWith(dtbDir) && /\/bcm2712[^/]*\.dtb$/.test(p)).sort();
  if (dtbs.length === 0) throw new Error(`no bcm2712 device trees in /${dtbDir}`);
  const overlayDir = `usr/lib/linux-image-${kver}/overlays/`;
  const overlays = treePaths.filter((p) => p.startsWith(overlayDir) && !p.endsWith('/')).sort();
  if (overlays.length === 0) throw new Error(`no device tree overlays in /${overlayDir}`);
  return [
    { dest: 'kernel_2712.img', from: kernel },
    { dest: 'initramfs_2712', from: initrd },
    ...dtbs.map((p) => ({ dest: p.slice(dtbDir.length), from: p })),
    ...overlays.map((p) => ({ dest: `overlays/${p.slice(overlayDir.length)}`, from: p })),
    { dest: 'config.txt', content: renderConfigTxt() },
    ...common,
  ];
}
