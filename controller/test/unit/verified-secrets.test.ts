// The authenticator's cache of verified secrets: one scrypt run per (secret, stored hash), shared
// by concurrent logins, and none at all for a credential the controller issued itself.
import { describe, expect, it } from 'vitest';
import { hashSecret, newSecret, VerifiedSecrets, verifySecret } from '../../src/auth/secrets.js';

function counting() {
  const calls: string[] = [];
  const cache = new VerifiedSecrets(async (secret, stored) => {
    calls.push(secret);
    return verifySecret(secret, stored);
  });
  return { cache, calls };
}

describe('VerifiedSecrets', () => {
  it('runs scrypt once for many concurrent checks of the same claim secret', async () => {
    const secret = newSecret();
    const stored = hashSecret(secret);
    const { cache, calls } = counting();
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.verify(secret, stored)));
    expect(results.every(Boolean)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(await cache.verify(secret, stored)).toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('does not let a wrong secret ride on a right one checked at the same time', async () => {
    const secret = newSecret();
    const stored = hashSecret(secret);
    const { cache, calls } = counting();
    const [good, bad] = await Promise.all([cache.verify(secret, stored), cache.verify('guess', stored)]);
    expect([good, bad]).toEqual([true, false]);
    expect(calls).toHaveLength(2);
    expect(await cache.verify('guess', stored)).toBe(false);
  });

  it('knows a remembered credential without scrypt, and only that one', async () => {
    const secret = newSecret();
    const stored = hashSecret(secret);
    const { cache, calls } = counting();
    cache.remember(secret, stored);
    expect(await cache.verify(secret, stored)).toBe(true);
    expect(await cache.verify(newSecret(), stored)).toBe(false);
    expect(calls).toHaveLength(0);
  });
});
