import { join } from 'node:path';
import { writeFileAtomic } from '../host/private-files.js';
import type { Store } from '../store/store.js';
import { hashSecret, newId, newSecret } from './secrets.js';

/** `<dataDir>/operator.json`: the first operator's credentials (0600). */
export const operatorFilePath = (dataDir: string): string => join(dataDir, 'operator.json');
/** `<dataDir>/claim.secret`: the first claim secret, for images (0600). */
export const claimSecretPath = (dataDir: string): string => join(dataDir, 'claim.secret');

/**
 * First start: create the first operator (`<dataDir>/operator.json`, used by the CLI on this host)
 * and a claim secret for images (`<dataDir>/claim.secret`). Later starts change nothing: the files
 * are written only when the secrets are made, and only hashes are kept in the store.
 */
export async function ensureFirstStartSecrets(
  store: Store,
  dataDir: string,
  now: string,
): Promise<{ created: string[] }> {
  const created: string[] = [];
  if (!store.principals.users().some((u) => u.role === 'operator')) {
    const password = newSecret();
    store.principals.addUser('admin', 'operator', hashSecret(password), now);
    await writeFileAtomic(
      operatorFilePath(dataDir),
      `${JSON.stringify({ username: 'admin', password }, null, 2)}\n`,
      0o600,
    );
    created.push('operator admin (operator.json)');
  }
  if (store.principals.activeClaims().length === 0) {
    const secret = newSecret();
    store.principals.addClaim(newId('claim'), hashSecret(secret), now);
    await writeFileAtomic(claimSecretPath(dataDir), `${secret}\n`, 0o600);
    created.push('claim secret (claim.secret)');
  }
  return { created };
}
