import { createHash } from 'node:crypto';
import { mkdir, readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import { type CommandResult, redactResult, type StepKind } from '@osbuild/shared';
import { readTextOrNull, writeFileAtomic } from '../host/fs-util.js';

/** One command as the agent recorded it; survives agent crashes and reboots. */
export interface JournalEntry {
  id: string;
  runId: string;
  index: number;
  kind: StepKind;
  state: 'started' | 'finished';
  /** Boot id when the command started: tells a completed reboot from an agent crash. */
  bootId: string;
  startedAt: string;
  result?: CommandResult;
  /** The broker acknowledged the result (PUBACK); unreported results are re-sent on connect. */
  reported: boolean;
  /** Process groups of this command a later agent found still running and ended. */
  endedGroups?: EndedGroup[];
}

/** A step's process group that outlived its agent and was ended by the next one. */
export interface EndedGroup {
  cmdId: string;
  pgid: number;
  signal: 'SIGTERM' | 'SIGKILL';
}

/** How many finished entries are kept; older ones are pruned. */
export const JOURNAL_KEEP = 500;

/** File name for a command id: the id itself when it is filename-safe, else a hash of it. */
function fileName(id: string): string {
  const safe = /^[A-Za-z0-9_.-]{1,128}$/.test(id) && !id.startsWith('.');
  return `${safe ? id : createHash('sha256').update(id).digest('hex')}.json`;
}

/** One JSON file per command id under `<stateDir>/journal/`, written atomically. */
export class Journal {
  constructor(readonly dir: string) {}

  async get(id: string): Promise<JournalEntry | null> {
    const text = await readTextOrNull(path.join(this.dir, fileName(id)));
    if (text === null) return null;
    try {
      return JSON.parse(text) as JournalEntry;
    } catch {
      return null;
    }
  }

  async put(entry: JournalEntry): Promise<void> {
    await writeFileAtomic(path.join(this.dir, fileName(entry.id)), `${JSON.stringify(entry)}\n`, 0o600);
  }

  async all(): Promise<JournalEntry[]> {
    await mkdir(this.dir, { recursive: true });
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    const entries: JournalEntry[] = [];
    for (const name of names) {
      const text = await readTextOrNull(path.join(this.dir, name));
      if (text === null) continue;
      try {
        entries.push(JSON.parse(text) as JournalEntry);
      } catch {
        // A torn file cannot happen with atomic writes; a hand-edited one is skipped, not fatal.
      }
    }
    return entries;
  }

  /**
   * The broker has the result: mark it reported and drop its `secret` (a kubeconfig or certificate
   * key is kept on disk only until it has been handed over, never for a later duplicate).
   */
  async markReported(id: string): Promise<void> {
    const entry = await this.get(id);
    if (!entry || entry.reported) return;
    const result = entry.result?.secret !== undefined ? redactResult(entry.result) : entry.result;
    await this.put({ ...entry, reported: true, ...(result ? { result } : {}) });
  }

  /** Finished results the broker has not acknowledged yet, oldest first. */
  async unreported(): Promise<CommandResult[]> {
    const entries = (await this.all()).filter((e) => e.state === 'finished' && !e.reported && e.result);
    entries.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    return entries.map((e) => e.result as CommandResult);
  }

  /** Delete the oldest reported finished entries beyond `keep`. */
  async prune(keep = JOURNAL_KEEP): Promise<number> {
    const finished = (await this.all()).filter((e) => e.state === 'finished' && e.reported);
    if (finished.length <= keep) return 0;
    finished.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
    const drop = finished.slice(keep);
    await Promise.all(drop.map((e) => unlink(path.join(this.dir, fileName(e.id))).catch(() => {})));
    return drop.length;
  }
}
