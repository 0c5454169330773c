import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, writeFileAtomic } from '../host/private-files.js';

/** Where the controller keeps the cluster's admin kubeconfig (0600, in a 0700 directory). */
export function kubeconfigPath(dataDir: string): string {
  return join(dataDir, 'kubernetes', 'admin.conf');
}

/** Store the admin kubeconfig; never logged, never in argv. */
export async function saveKubeconfig(dataDir: string, text: string): Promise<void> {
  await ensurePrivateDir(join(dataDir, 'kubernetes'));
  await writeFileAtomic(kubeconfigPath(dataDir), text, 0o600);
}

/** The stored kubeconfig, or null when the controller manages no cluster yet. */
export async function loadKubeconfig(dataDir: string): Promise<string | null> {
  try {
    return await readFile(kubeconfigPath(dataDir), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}
