import type { BootSource } from '@osbuild/shared';

/** The device and fstype of the last mount on `/` (later mounts shadow earlier ones). */
export function rootMount(mounts: string): { device: string; fstype: string } | null {
  let found: { device: string; fstype: string } | null = null;
  for (const line of mounts.split('\n')) {
    const [device, mountpoint, fstype] = line.trim().split(/\s+/);
    if (mountpoint === '/' && device && fstype) found = { device, fstype };
  }
  return found;
}

/**
 * Where the running root filesystem came from, from /proc/mounts and, when that says nothing
 * useful, the kernel command line (`root=/dev/nfs` is how Pi netboot mounts its root).
 */
export function bootSourceFrom(mounts: string | null, cmdline: string | null): BootSource {
  const root = mounts ? rootMount(mounts) : null;
  if (root) {
    if (root.fstype === 'nfs' || root.fstype === 'nfs4') return 'netboot';
    if (root.device.startsWith('/dev/nvme')) return 'nvme';
    if (root.device.startsWith('/dev/mmcblk')) return 'sd';
    if (root.device.startsWith('/dev/sd')) return 'usb';
  }
  if (cmdline && /(^|\s)root=\/dev\/nfs(\s|$)/.test(cmdline)) return 'netboot';
  return 'other';
}
