// Synthetic Raspberry Pi 5 boards for the fleet simulator (`osbuild sim`) and the benchmarks: a
// deterministic identity per (seed, index), a minimal host root the agent reads, and the matching
// nodes.yaml.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Largest fleet `osbuild sim` makes (identities and addresses stay unique below this). */
export const MAX_SIM_NODES = 10_000;
/** Seeds are one byte: they pick the fourth MAC octet, the serial prefix and the /16. */
export const MAX_SIM_SEED = 255;

function check(i: number, seed: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= MAX_SIM_NODES)
    throw new RangeError(`board index must be 0 to ${MAX_SIM_NODES - 1}, not ${i}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > MAX_SIM_SEED)
    throw new RangeError(`seed must be 0 to ${MAX_SIM_SEED}, not ${seed}`);
}

/** Identity of synthetic board `i` in fleet `seed`: same inputs, same board. */
export function boardIdentity(
  i: number,
  seed = 0,
): { mac: string; serial: string; hostname: string; ip: string; bootId: string } {
  check(i, seed);
  const hex = i.toString(16).padStart(4, '0');
  const seedOctet = ((seed + 1) & 0xff).toString(16).padStart(2, '0');
  return {
    mac: `dc:a6:32:${seedOctet}:${hex.slice(0, 2)}:${hex.slice(2)}`,
    serial: `2${seed.toString(16).padStart(7, '0')}${hex.padStart(8, '0')}`,
    hostname: `sim${seed}-${String(i).padStart(4, '0')}`,
    ip: `10.${seed}.${Math.floor(i / 250)}.${(i % 250) + 2}`,
    bootId: `00000000-${seed.toString(16).padStart(4, '0')}-4000-8000-${i.toString(16).padStart(12, '0')}`,
  };
}

/** Lay out a minimal Pi 5 host root for board `i` of fleet `seed` under `dir` (what the agent reads). */
export async function writeSyntheticHost(dir: string, i: number, seed = 0): Promise<void> {
  const { mac, serial, bootId } = boardIdentity(i, seed);
  const files: Record<string, string> = {
    'sys/class/net/eth0/address': `${mac}\n`,
    'sys/class/net/eth0/device/.keep': '',
    'sys/class/net/lo/address': '00:00:00:00:00:00\n',
    'sys/firmware/devicetree/base/serial-number': `${serial}\0`,
    'proc/device-tree/model': 'Raspberry Pi 5 Model B Rev 1.0\0',
    'proc/cpuinfo': `processor\t: 0\nSerial\t\t: ${serial}\nModel\t\t: Raspberry Pi 5 Model B Rev 1.0\n`,
    'proc/mounts': '/dev/nvme0n1p2 / ext4 rw,noatime 0 0\n',
    'proc/cmdline': 'console=serial0,115200 root=/dev/nvme0n1p2 rootwait\n',
    'proc/sys/kernel/random/boot_id': `${bootId}\n`,
    // What telemetry reads (agent/src/telemetry/), varied per board so `osbuild watch` and the
    // health rules see a plausible fleet: 8 GiB boards, 42-63 °C, light load, not throttled.
    'proc/meminfo': `MemTotal:        8245152 kB\nMemAvailable:    ${6000000 - (i % 50) * 40000} kB\n`,
    'proc/loadavg': `${((i % 7) / 10).toFixed(2)} 0.20 0.10 1/180 ${1000 + i}\n`,
    'proc/uptime': `${600 + i}.00 ${1100 + i}.00\n`,
    'sys/class/thermal/thermal_zone0/temp': `${42000 + (i % 22) * 1000}\n`,
    'run/osbuild/throttled': 'throttled=0x0\n',
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

/** An inventory with `n` synthetic boards of fleet `seed`: the first is the control plane. */
export function syntheticInventory(n: number, seed = 0): string {
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIM_NODES)
    throw new RangeError(`node count must be 1 to ${MAX_SIM_NODES}, not ${n}`);
  const nodes = Array.from({ length: n }, (_, i) => {
    const { mac, hostname, ip } = boardIdentity(i, seed);
    const role = i === 0 ? 'control-plane' : 'worker';
    return `  - mac: "${mac}"\n    hostname: ${hostname}\n    role: ${role}\n    ip: ${ip}`;
  });
  return `# ${n} simulated Raspberry Pi 5 boards (osbuild sim inventory --nodes ${n} --seed ${seed})\ndefaults:\n  network:\n    prefix: 16\n    gateway: 10.${seed}.0.1\nnodes:\n${nodes.join('\n')}\n`;
}
