import path from 'node:path';
import { readTextOrNull, writeFileAtomic } from '../host/fs-util.js';

/** `<stateDir>/boot.json`: the last boot id seen and how many boots the agent has seen. */
export interface BootState {
  bootId: string;
  bootSeq: number;
}

/** Record the current boot: `bootSeq` goes up by one whenever the boot id changes. */
export async function updateBootState(stateDir: string, bootId: string): Promise<BootState> {
  const file = path.join(stateDir, 'boot.json');
  let previous: BootState | null = null;
  const text = await readTextOrNull(file);
  if (text !== null) {
    try {
      previous = JSON.parse(text) as BootState;
    } catch {
      previous = null;
    }
  }
  if (previous && previous.bootId === bootId && Number.isInteger(previous.bootSeq)) return previous;
  const next = { bootId, bootSeq: (previous?.bootSeq ?? 0) + 1 };
  await writeFileAtomic(file, `${JSON.stringify(next)}\n`, 0o600);
  return next;
}
