import path from 'node:path';
import { UserError } from '@osbuild/shared';

/**
 * Every host path the agent touches, built from one injectable root (balena-supervisor's
 * host-utils idea): `/` on a real node, a copied fixture directory in tests and the simulator.
 */
export interface HostPaths {
  /** Absolute host root; `/` on a real node. */
  readonly root: string;
  readonly sysClassNet: string;
  readonly dtSerialNumber: string;
  readonly dtModel: string;
  readonly cpuinfo: string;
  readonly mounts: string;
  readonly cmdline: string;
  readonly bootId: string;
  readonly hostname: string;
  readonly hosts: string;
  readonly imageJson: string;
  readonly networkManagerDir: string;
  readonly nmConnections: string;
  readonly networkdDir: string;
  readonly loadavg: string;
  readonly meminfo: string;
  readonly uptime: string;
  readonly procStat: string;
  readonly procNetDev: string;
  readonly socTemp: string;
  readonly sysClassNvme: string;
  /** Fixture roots: `vcgencmd get_throttled` output, read instead of running it off the live root. */
  readonly throttledFixture: string;
  /** Fixture roots: one file per unit holding its `systemctl is-active` answer. */
  readonly serviceStateDir: string;
  /** Where host-system actions are recorded when the root is not `/` (a fixture root). */
  readonly hostActionsLog: string;
  /** State dir used when the operator does not pass one. */
  readonly defaultStateDir: string;
  /** Map an absolute node path below the root; refuses relative paths and `..` escapes. */
  resolve(absPath: string): string;
}

/** True when the paths point at the machine the agent runs on. */
export function isLiveRoot(paths: HostPaths): boolean {
  return paths.root === '/';
}

/** Build the host paths for `root` (default `/`). */
export function hostPaths(root = '/'): HostPaths {
  const base = path.resolve(root);
  const resolve = (absPath: string): string => {
    if (!absPath.startsWith('/')) throw new UserError('bad-path', `not an absolute path: ${absPath}`);
    // Refuse `..` segments outright instead of normalising them away: a step that names one is
    // either a bug or an attempt to leave the host root.
    if (absPath.split('/').includes('..')) {
      throw new UserError('bad-path', `path must not contain "..": ${absPath}`);
    }
    const mapped = path.join(base, absPath);
    if (mapped !== base && !mapped.startsWith(base === '/' ? '/' : `${base}/`)) {
      throw new UserError('bad-path', `path escapes the host root: ${absPath}`);
    }
    return mapped;
  };
  return {
    root: base,
    sysClassNet: resolve('/sys/class/net'),
    dtSerialNumber: resolve('/sys/firmware/devicetree/base/serial-number'),
    dtModel: resolve('/proc/device-tree/model'),
    cpuinfo: resolve('/proc/cpuinfo'),
    mounts: resolve('/proc/mounts'),
    cmdline: resolve('/proc/cmdline'),
    bootId: resolve('/proc/sys/kernel/random/boot_id'),
    hostname: resolve('/etc/hostname'),
    hosts: resolve('/etc/hosts'),
    imageJson: resolve('/etc/osbuild/image.json'),
    networkManagerDir: resolve('/etc/NetworkManager'),
    nmConnections: resolve('/etc/NetworkManager/system-connections'),
    networkdDir: resolve('/etc/systemd/network'),
    loadavg: resolve('/proc/loadavg'),
    meminfo: resolve('/proc/meminfo'),
    uptime: resolve('/proc/uptime'),
    procStat: resolve('/proc/stat'),
    procNetDev: resolve('/proc/net/dev'),
    socTemp: resolve('/sys/class/thermal/thermal_zone0/temp'),
    sysClassNvme: resolve('/sys/class/nvme'),
    throttledFixture: resolve('/run/osbuild/throttled'),
    serviceStateDir: resolve('/run/osbuild/service-state'),
    hostActionsLog: resolve('/var/log/osbuild/host-actions.log'),
    defaultStateDir: resolve('/var/lib/osbuild'),
    resolve,
  };
}
