import { hashSecret, hashSecretAsync, newSecret } from './secrets.js';

/** A new node credential and its stored form. */
export interface MintedCredential {
  password: string;
  hash: string;
}

/**
 * Node credentials hashed ahead of time, off the event loop. Issuing a credential happens inside
 * the claim's SQLite transaction, which is synchronous; hashing there (scrypt, ~40 ms) stalled the
 * event loop for every claiming board, and a rack booting together queued those stalls back to
 * back (a 31.9 s loop stall in the 1,000-board storm, docs/performance.md) while keepalives went
 * unanswered. The message router now runs each claim through {@link withPrepared}: a credential
 * is hashed on the libuv pool first (unless one is already waiting), then the claim's transaction
 * runs and issuance {@link take}s it.
 */
export class CredentialMint {
  private readonly ready: MintedCredential[] = [];

  /**
   * `hash` is the asynchronous hashing (injectable so tests can count runs); at most `keep`
   * prepared credentials wait (claims that issue nothing — pending, conflicts — leave theirs).
   */
  constructor(
    private readonly hash: (secret: string) => Promise<string> = hashSecretAsync,
    private readonly keep = 64,
  ) {}

  /**
   * Run `handle` (a claim's synchronous handling) with a prepared credential waiting for it: one
   * left by an earlier claim, or one hashed now on the libuv pool. The credential is pushed and
   * `handle` runs in the same turn of the event loop, so no other claim can take it in between.
   * A claim that issues nothing (pending, conflict) leaves its credential for the next one, so a
   * board re-claiming while it waits costs no hashing. If hashing fails, `handle` still runs
   * (issuance then hashes synchronously).
   */
  async withPrepared<T>(handle: () => T): Promise<T> {
    if (this.ready.length === 0) {
      try {
        const password = newSecret();
        this.ready.push({ password, hash: await this.hash(password) });
      } catch {
        return handle();
      }
    }
    try {
      return handle();
    } finally {
      if (this.ready.length > this.keep) this.ready.length = this.keep;
    }
  }

  /**
   * A prepared credential, used once. When none is waiting (an issuance not preceded by a claim,
   * e.g. an operator approval) it is hashed now, synchronously: correct, only slower.
   */
  take(): MintedCredential {
    const prepared = this.ready.shift();
    if (prepared) return prepared;
    const password = newSecret();
    return { password, hash: hashSecret(password) };
  }

  /** Credentials prepared and not yet issued. */
  get waiting(): number {
    return this.ready.length;
  }
}
