import { PROTOCOL_VERSION } from '@osbuild/shared';
import type { Journal, JournalEntry } from './journal.js';

/**
 * Settle entries a previous agent process left `started`: it died (or the node rebooted) while
 * they ran. A reboot step whose boot id changed did what it was asked; anything else is reported
 * `interrupted`. Never re-run here: the controller decides whether to retry, with a new command id.
 */
export async function resolveInterrupted(
  journal: Journal,
  currentBootId: string,
  now: () => Date,
): Promise<JournalEntry[]> {
  const resolved: JournalEntry[] = [];
  for (const entry of await journal.all()) {
    if (entry.state !== 'started' || entry.result) continue;
    const rebooted = entry.bootId !== currentBootId;
    const succeeded = entry.kind === 'reboot' && rebooted;
    const error = succeeded
      ? null
      : rebooted
        ? 'the node restarted while the command ran'
        : 'the agent restarted while the command ran';
    const next: JournalEntry = {
      ...entry,
      state: 'finished',
      reported: false,
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
