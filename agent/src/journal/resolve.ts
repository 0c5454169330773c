import { PROTOCOL_VERSION } from '@osbuild/shared';
import type { EndedGroup, Journal, JournalEntry } from './journal.js';

/**
 * Settle entries a previous agent process left `started`: it died (or the node rebooted) while
 * they ran. A reboot step whose boot id changed did what it was asked; anything else is reported
 * `interrupted`. Never re-run here: the controller decides whether to retry, with a new command id.
 * `ended` lists the process groups of those commands that were still running and that this start
 * ended (steps/leftover-steps.ts); the entry and the result's error say so.
 */
export async function resolveInterrupted(
  journal: Journal,
  currentBootId: string,
  now: () => Date,
  ended: readonly EndedGroup[] = [],
): Promise<JournalEntry[]> {
  const resolved: JournalEntry[] = [];
  for (const entry of await journal.all()) {
    if (entry.state !== 'started' || entry.result) continue;
    const rebooted = entry.bootId !== currentBootId;
    const succeeded = entry.kind === 'reboot' && rebooted;
    const mine = ended.filter((g) => g.cmdId === entry.id);
    const how = mine.length
      ? `; its processes were still running and were ended (${mine.map((g) => `group ${g.pgid}: ${g.signal}`).join(', ')})`
      : '';
    const error = succeeded
      ? null
      : rebooted
        ? 'the node restarted while the command ran'
        : `the agent restarted while the command ran${how}`;
    const next: JournalEntry = {
      ...entry,
      state: 'finished',
      reported: false,
      ...(mine.length ? { endedGroups: mine } : {}),
      result: {
        v: PROTOCOL_VERSION,
        id: entry.id,
        outcome: succeeded ? 'succeeded' : 'interrupted',
        exitCode: null,
        error,
        outputTail: '',
        startedAt: entry.startedAt,
        finishedAt: now().toISOString(),
        ...(succeeded ? { changed: true } : {}),
      },
    };
    await journal.put(next);
    resolved.push(next);
  }
  return resolved;
}
