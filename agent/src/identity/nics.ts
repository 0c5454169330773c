import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** A physical NIC as read from sysfs. */
export interface Nic {
  name: string;
  mac: string;
}

const MAC = /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/;
/** Names tried first for the primary NIC: Raspberry Pi OS `eth0`, then systemd's Pi 5 name `end0`. */
const PRIMARY_ORDER = ['eth0', 'end0'];

function rank(name: string): number {
  const i = PRIMARY_ORDER.indexOf(name);
  return i === -1 ? PRIMARY_ORDER.length : i;
}

/** Order NICs primary first: `eth0`, `end0`, then by name. */
export function sortNics(nics: Nic[]): Nic[] {
  return [...nics].sort((a, b) => rank(a.name) - rank(b.name) || a.name.localeCompare(b.name));
}

/**
 * Physical NICs: entries of /sys/class/net with a `device` link (virtual ones like lo, bridges and
 * veths have none), skipping missing or all-zero addresses.
 */
export async function readNics(sysClassNet: string): Promise<Nic[]> {
  let names: string[];
  try {
    names = await readdir(sysClassNet);
  } catch {
    return [];
  }
  const nics: Nic[] = [];
  for (const name of names) {
    const dir = path.join(sysClassNet, name);
    try {
      await lstat(path.join(dir, 'device'));
    } catch {
      continue;
    }
    let mac: string;
    try {
      mac = (await readFile(path.join(dir, 'address'), 'utf8')).trim().toLowerCase();
    } catch {
      continue;
    }
    if (!MAC.test(mac) || mac === '00:00:00:00:00:00') continue;
    nics.push({ name, mac });
  }
  return sortNics(nics);
}
