import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** MAC and serial of synthetic board `i` (unique for i < 65536). */
export function boardIdentity(i: number): { mac: string; serial: string } {
  const hex = i.toString(16).padStart(4, '0');
  return { mac: `dc:a6:32:01:${hex.slice(0, 2)}:${hex.slice(2)}`, serial: `20000000${hex.padStart(8, '0')}` };
}

/** Lay out a minimal Pi 5 host root for board `i` under `dir` (what the agent reads). */
export async function writeSyntheticHost(dir: string, i: number): Promise<void> {
  const { mac, serial } = boardIdentity(i);
  const files: Record<string, string> = {
    'sys/class/net/eth0/address': `${mac}\n`,
    'sys/class/net/eth0/device/.keep': '',
    'sys/class/net/lo/address': '00:00:00:00:00:00\n',
    'sys/firmware/devicetree/base/serial-number': `${serial}\0`,
    'proc/device-tree/model': 'Raspberry Pi 5 Model B Rev 1.0\0',
    'proc/cpuinfo': `processor\t: 0\nSerial\t\t: ${serial}\nModel\t\t: Raspberry Pi 5 Model B Rev 1.0\n`,
    'proc/mounts': '/dev/nvme0n1p2 / ext4 rw,noatime 0 0\n',
    'proc/cmdline': 'console=serial0,115200 root=/dev/nvme0n1p2 rootwait\n',
    'proc/sys/kernel/random/boot_id': `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}\n`,
    'etc/hostname': 'raspberrypi\n',
    'etc/hosts': '127.0.0.1\tlocalhost\n127.0.1.1\traspberrypi\n',
    'etc/systemd/network/.keep': '',
  };
  for (const [rel, content] of Object.entries(files)) {
    const file = join(dir, rel);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
  }
}

/** An inventory with `n` workers matching the synthetic boards (one control plane first). */
export function syntheticInventory(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => {
    const { mac } = boardIdentity(i);
    const role = i === 0 ? 'control-plane' : 'worker';
    return `  - mac: "${mac}"\n    hostname: node-${String(i).padStart(4, '0')}\n    role: ${role}\n    ip: 10.1.${Math.floor(i / 250)}.${(i % 250) + 2}`;
  });
  return `defaults:\n  network:\n    prefix: 16\n    gateway: 10.1.0.1\nnodes:\n${nodes.join('\n')}\n`;
}
