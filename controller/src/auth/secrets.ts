import { createHash, randomBytes, scrypt as scryptCb, scryptSync, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

// scrypt cost: N=2^14, r=8, p=1 (16 MiB, ~40 ms here). Every stored secret is random and high
// entropy, so the work factor only has to make a stolen database useless for offline guessing of
// operator passwords chosen by humans — which we never allow: all passwords are generated.
const N = 16384;
const R = 8;
const P = 1;
const KEYLEN = 32;

/** A new random secret: 32 bytes, base64url (43 characters). */
export function newSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A short random id for records that name a secret without revealing it. */
export function newId(prefix: string): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}

/** Hash a secret for storage: `scrypt$N$r$p$salt$hash` (base64url). */
export function hashSecret(secret: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(secret, salt, KEYLEN, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** {@link hashSecret} on the libuv thread pool, leaving the event loop free meanwhile. */
export async function hashSecretAsync(secret: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(secret, salt, KEYLEN, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), hash.toString('base64url')].join('$');
}

/** Check a secret against a stored hash in constant time; malformed hashes never match. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await scrypt(secret, Buffer.from(salt, 'base64url'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
  });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Remembers secrets already verified against a stored hash, so a fleet reconnecting after a
 * controller restart pays scrypt once per node, not on every reconnect. Keyed by the stored hash:
 * rotating or revoking a credential changes it and so invalidates the entry. Concurrent checks of
 * the same secret share one scrypt run: a rack powered on at once presents one claim secret
 * hundreds of times before the first check has finished.
 */
export class VerifiedSecrets {
  private readonly seen = new Map<string, Buffer>();
  private readonly inflight = new Map<string, Promise<boolean>>();

  /** `check` is the slow comparison (scrypt); injectable so tests can count its runs. */
  constructor(private readonly check: (secret: string, stored: string) => Promise<boolean> = verifySecret) {}

  async verify(secret: string, stored: string): Promise<boolean> {
    const digest = createHash('sha256').update(secret).digest();
    const known = this.seen.get(stored);
    if (known) return timingSafeEqual(known, digest);
    const key = `${stored}\0${digest.toString('hex')}`;
    let pending = this.inflight.get(key);
    if (!pending) {
      pending = this.check(secret, stored).finally(() => this.inflight.delete(key));
      this.inflight.set(key, pending);
    }
    const ok = await pending;
    if (ok) this.seen.set(stored, digest);
    return ok;
  }

  /**
   * Record a secret the controller has just hashed itself (a node credential it issued), so the
   * node's first login does not pay scrypt a second time.
   */
  remember(secret: string, stored: string): void {
    this.seen.set(stored, createHash('sha256').update(secret).digest());
  }
}
