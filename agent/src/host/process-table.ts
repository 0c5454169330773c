import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/** One process as `/proc/<pid>/stat` shows it. */
export interface ProcessInfo {
  pid: number;
  /** Process group id (field 5). */
  pgid: number;
  /**
   * Start time in clock ticks since boot (field 22), as a decimal string: with the boot id it
   * names one process even after its pid is reused.
   */
  startTime: string;
  /** R, S, D, Z (zombie: dead, waiting to be reaped), ... (field 3). */
  state: string;
}

/**
 * The port to the machine's process table. Reads go through `procDir`, so tests lay a temp dir out
 * like `/proc`; signals go to the real kernel.
 */
export interface ProcessTable {
  /** The process, or null when no such pid exists (a zombie is returned, state `Z`). */
  info(pid: number): Promise<ProcessInfo | null>;
  /** {@link info}, synchronously: used between spawning a child and the next await. */
  infoSync(pid: number): ProcessInfo | null;
  /** Every process that is not a zombie. */
  live(): Promise<ProcessInfo[]>;
  /** `/proc/sys/kernel/random/boot_id`: start times only compare within one boot. */
  bootId(): Promise<string>;
  /** Signal a whole process group; false when the group no longer exists. */
  signalGroup(pgid: number, signal: NodeJS.Signals): boolean;
}

/** Parse one `/proc/<pid>/stat` line; null when it is not one. */
export function parseProcStat(text: string): ProcessInfo | null {
  // comm (field 2) is in parentheses and may itself contain spaces and ')': split after the last.
  const close = text.lastIndexOf(')');
  const pid = Number.parseInt(text, 10);
  if (close < 0 || !Number.isInteger(pid)) return null;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), rest[2] field 5 (pgrp), rest[19] field 22 (starttime).
  const [state, pgid, startTime] = [rest[0], Number(rest[2]), rest[19]];
  if (!state || !Number.isInteger(pgid) || !startTime || !/^\d+$/.test(startTime)) return null;
  return { pid, pgid, startTime, state };
}

/**
 * The real process table. Always the machine's own `/proc`, never `<host-root>/proc`: in fixture
 * mode the host root is a directory of files, but the agent's processes are real ones.
 */
export function procProcessTable(procDir = '/proc'): ProcessTable {
  const statFile = (pid: number) => path.join(procDir, String(pid), 'stat');
  const info = async (pid: number) => parseProcStat(await readFile(statFile(pid), 'utf8').catch(() => ''));
  return {
    info,
    infoSync(pid) {
      try {
        return parseProcStat(readFileSync(statFile(pid), 'utf8'));
      } catch {
        return null;
      }
    },
    async live() {
      const pids = (await readdir(procDir)).filter((n) => /^\d+$/.test(n)).map(Number);
      const all = await Promise.all(pids.map(info));
      return all.filter((p): p is ProcessInfo => p !== null && p.state !== 'Z');
    },
    async bootId() {
      const text = await readFile(path.join(procDir, 'sys/kernel/random/boot_id'), 'utf8').catch(() => '');
      return text.trim();
    },
    signalGroup(pgid, signal) {
      // kill(-1) signals every process this one may signal (as root: all of them), kill(-0) this
      // agent's own group: never from a number read off disk.
      if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`refusing to signal process group ${pgid}`);
      try {
        // A negative pid addresses the process group.
        process.kill(-pgid, signal);
        return true;
      } catch {
        return false;
      }
    },
  };
}
