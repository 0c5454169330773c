import { randomBytes } from 'node:crypto';
import { chmod, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store } from '../store/store.js';
import { hashSecret, newId, newSecret } from './secrets.js';

/** Write a secret file atomically, 0600 from the first byte (never readable by others, even briefly). */
export async function writeSecretFile(file: string, content: string): Promise<void> {
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, content, { mode: 0o600, flag: 'wx' });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

/**
 * First start: create the first operator (`<dataDir>/operator.json`, used by the CLI on this host)
 * and a claim secret for images (`<dataDir>/claim.secret`). Later starts change nothing: the files
 * are written only when the secrets are made, and only hashes are kept in the store.
 */
export async function ensureBootstrapSecrets(
  store: Store,
  dataDir: string,
  now: string,
): Promise<{ created: string[] }> {
  const created: string[] = [];
  if (!store.principals.users().some((u) => u.role === 'operator')) {
    const password = newSecret();
    store.principals.addUser('admin', 'operator', hashSecret(password), now);
    await writeSecretFile(
      join(dataDir, 'operator.json'),
      `${JSON.stringify({ username: 'admin', password }, null, 2)}\n`,
    );
    created.push('operator admin (operator.json)');
  }
  if (store.principals.activeClaims().length === 0) {
    const secret = newSecret();
    store.principals.addClaim(newId('claim'), hashSecret(secret), now);
    await writeSecretFile(join(dataDir, 'claim.secret'), `${secret}\n`);
    created.push('claim secret (claim.secret)');
  }
  return { created };
}
