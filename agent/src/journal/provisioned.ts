import path from 'node:path';
import { readTextOrNull, writeFileAtomic } from '../host/fs-util.js';

/** What `mark-provisioned` records in `<stateDir>/provisioned.json`; hello carries it. */
export interface ProvisionedMark {
  runId: string;
  at: string;
}

/** Path of the provisioned marker. */
export function provisionedFile(stateDir: string): string {
  return path.join(stateDir, 'provisioned.json');
}

/** Read the marker, or null when the node has not finished a plan (or the file is damaged). */
export async function readProvisioned(stateDir: string): Promise<ProvisionedMark | null> {
  const text = await readTextOrNull(provisionedFile(stateDir));
  if (text === null) return null;
  try {
    const v = JSON.parse(text) as Partial<ProvisionedMark>;
    return typeof v.runId === 'string' && typeof v.at === 'string' ? { runId: v.runId, at: v.at } : null;
  } catch {
    return null;
  }
}

/** Write the marker atomically. */
export async function writeProvisioned(stateDir: string, mark: ProvisionedMark): Promise<void> {
  await writeFileAtomic(provisionedFile(stateDir), `${JSON.stringify(mark)}\n`, 0o644);
}
