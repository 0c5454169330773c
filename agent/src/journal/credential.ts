import { rename } from 'node:fs/promises';
import path from 'node:path';
import { type NodeCredential, nodeCredential } from '@osbuild/shared';
import { isNotFound, readTextOrNull, writeFileAtomic } from '../host/fs-util.js';

/** `<stateDir>/credential.json`: the node's own MQTT credential, 0600. */
export function credentialFile(stateDir: string): string {
  return path.join(stateDir, 'credential.json');
}

/** The stored credential, or null when the node has none (or the file is damaged). */
export async function readCredential(stateDir: string): Promise<NodeCredential | null> {
  const text = await readTextOrNull(credentialFile(stateDir));
  if (text === null) return null;
  try {
    const parsed = nodeCredential.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Store the credential atomically and 0600 from its first byte. */
export async function writeCredential(stateDir: string, credential: NodeCredential): Promise<void> {
  await writeFileAtomic(credentialFile(stateDir), `${JSON.stringify(credential)}\n`, 0o600);
}

/**
 * Set aside a credential the controller refused (revoked or rotated): the agent falls back to its
 * claim secret. Kept as `credential.rejected.json` (still 0600) for forensics, not deleted.
 */
export async function discardCredential(stateDir: string): Promise<void> {
  try {
    await rename(credentialFile(stateDir), path.join(stateDir, 'credential.rejected.json'));
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
