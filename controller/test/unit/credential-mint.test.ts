import { describe, expect, it } from 'vitest';
import { CredentialMint } from '../../src/auth/credential-mint.js';
import { hashSecretAsync, verifySecret } from '../../src/auth/secrets.js';

/** The real asynchronous scrypt hashing, counted. */
function countedHash() {
  const calls = { n: 0 };
  const hash = (secret: string) => {
    calls.n += 1;
    return hashSecretAsync(secret);
  };
  return { calls, hash };
}

describe('CredentialMint: node credentials hashed before the claim transaction, off the event loop', () => {
  it('hashes on the libuv pool while the event loop keeps turning, then hands the credential to the claim', async () => {
    const { calls, hash } = countedHash();
    const mint = new CredentialMint(hash);
    let ticks = 0;
    const ticker = setInterval(() => {
      ticks += 1;
    }, 1);
    try {
      const issued = await mint.withPrepared(() => {
        // Inside the claim's synchronous handling the credential is already there.
        expect(mint.waiting).toBe(1);
        return mint.take();
      });
      expect(calls.n).toBe(1);
      expect(await verifySecret(issued.password, issued.hash)).toBe(true);
      expect(mint.waiting).toBe(0);
    } finally {
      clearInterval(ticker);
    }
    // scrypt N=2^14 takes tens of milliseconds; a synchronous hash would have let no timer run.
    expect(ticks).toBeGreaterThan(0);
  });

  it('a claim that issues nothing leaves its credential for the next one, which then costs no hashing', async () => {
    const { calls, hash } = countedHash();
    const mint = new CredentialMint(hash);
    await mint.withPrepared(() => 'pending: no inventory entry yet');
    expect(calls.n).toBe(1);
    expect(mint.waiting).toBe(1);
    const issued = await mint.withPrepared(() => mint.take());
    expect(calls.n).toBe(1);
    expect(await verifySecret(issued.password, issued.hash)).toBe(true);
  });

  it('claims arriving together each get their own credential, and no more than `keep` are kept', async () => {
    const { calls, hash } = countedHash();
    const mint = new CredentialMint(hash, 2);
    const taken = await Promise.all([1, 2, 3].map(() => mint.withPrepared(() => mint.take())));
    expect(calls.n).toBe(3);
    expect(new Set(taken.map((c) => c.password)).size).toBe(3);
    await Promise.all([1, 2, 3, 4].map(() => mint.withPrepared(() => undefined)));
    expect(mint.waiting).toBe(2);
  });

  it('if hashing fails the claim is still handled, and issuance hashes synchronously instead', async () => {
    const mint = new CredentialMint(async () => {
      throw new Error('thread pool gone');
    });
    const issued = await mint.withPrepared(() => mint.take());
    expect(await verifySecret(issued.password, issued.hash)).toBe(true);
    // Without any preparation (an operator approval issues outside a claim) take() still works.
    const direct = new CredentialMint().take();
    expect(await verifySecret(direct.password, direct.hash)).toBe(true);
  });

  it('a failing claim handler rejects withPrepared (the router counts and logs it)', async () => {
    const mint = new CredentialMint();
    await expect(
      mint.withPrepared(() => {
        throw new Error('handler bug');
      }),
    ).rejects.toThrow('handler bug');
  });
});
