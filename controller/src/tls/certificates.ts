// The controller's own PKI: a CA made once at first start (nodes pin its fingerprint) and a server
// certificate it signs, re-issued automatically from the same CA. DESIGN.md section 5.

import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { chmod } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { UserError } from '@osbuild/shared';
import { ensurePrivateDir, readIfExists, writeFileAtomic } from '../host/private-files.js';
import { fingerprintOf } from './fingerprint.js';
import { TLS_FILES } from './tls-paths.js';
import { type CertAndKey, createCaCertificate, issueServerCertificate } from './x509-issuer.js';

/** Why {@link ensureCertificates} issued a server certificate. */
export type RenewReason = 'created' | 'expiring' | 'sans-changed' | 'not-from-ca' | 'unusable';

/** What a TLS listener needs, and what operators are shown. */
export interface TlsMaterial {
  caCertPem: string;
  /** The server leaf alone; a listener must send `certPem + caCertPem` (see tls-listener.ts). */
  certPem: string;
  keyPem: string;
  /** SHA-256 of the CA certificate DER, `AB:CD:...` as `openssl x509 -fingerprint -sha256` prints. */
  caFingerprint: string;
  serverNotAfter: Date;
  /** True when this call issued a new server certificate (including the very first one). */
  renewed: boolean;
  /** Set when `renewed`: why. */
  renewReason?: RenewReason;
}

/** Options of {@link ensureCertificates}. */
export interface EnsureCertificatesOptions {
  /** Created 0700 if missing; normally `tlsDir(dataDir)` (tls-paths.ts). */
  dir: string;
  /** DNS names and IP addresses the server certificate must cover (see default-sans.ts). */
  sans: string[];
  clock: { now(): Date };
  /** Re-issue the server certificate when it expires within this many days. Default 30. */
  renewBeforeDays?: number;
  /** Lifetime of a new server certificate. Default 397 (the CA/Browser Forum maximum). */
  serverValidityDays?: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const CA_VALIDITY_YEARS = 10;
// Tolerate a node whose clock is slightly behind the controller's.
const BACKDATE_MS = 60 * 60 * 1000;

/**
 * Load or create the CA and the server certificate in `dir`. The CA is never replaced here (nodes
 * pin it): a `ca.pem` without its `ca.key` is an error, not a reason to make a new one. The server
 * certificate is re-issued from that CA when it is missing, unusable, not signed by the CA, expires
 * within `renewBeforeDays`, or does not cover every requested SAN.
 *
 * One controller per data dir: concurrent first calls on the same dir could each create a CA.
 */
export async function ensureCertificates(opts: EnsureCertificatesOptions): Promise<TlsMaterial> {
  const now = opts.clock.now();
  const renewBeforeMs = (opts.renewBeforeDays ?? 30) * DAY_MS;
  const validityMs = (opts.serverValidityDays ?? 397) * DAY_MS;
  if (opts.sans.length === 0) throw new UserError('tls', 'the server certificate needs at least one SAN');
  await ensurePrivateDir(opts.dir);

  const ca = await loadOrCreateCa(opts.dir, now);
  const caCert = new X509Certificate(ca.certPem);
  const current = await loadServer(opts.dir);
  const reason = current ? whyReissue(current, caCert, opts.sans, now.getTime() + renewBeforeMs) : 'created';
  const server =
    reason === null && current
      ? current
      : await renewServer(opts.dir, ca, caCert, opts.sans, now, validityMs);
  return {
    caCertPem: ca.certPem,
    certPem: server.certPem,
    keyPem: server.keyPem,
    caFingerprint: fingerprintOf(ca.certPem),
    serverNotAfter: new Date(new X509Certificate(server.certPem).validTo),
    renewed: reason !== null,
    ...(reason ? { renewReason: reason } : {}),
  };
}

async function renewServer(
  dir: string,
  ca: CertAndKey,
  caCert: X509Certificate,
  sans: readonly string[],
  now: Date,
  validityMs: number,
): Promise<CertAndKey> {
  const server = await issueServerCertificate({
    ca,
    sans,
    validity: {
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      // A leaf cannot outlive its issuer (RFC 5280 6.1.3: each certificate must be valid).
      notAfter: new Date(Math.min(now.getTime() + validityMs, new Date(caCert.validTo).getTime())),
    },
  });
  // Key first: a crash in between leaves a key that does not match the old cert, which the next
  // call sees as 'unusable' and repairs.
  await writeFileAtomic(join(dir, TLS_FILES.serverKey), server.keyPem, 0o600);
  await writeFileAtomic(join(dir, TLS_FILES.serverCert), server.certPem, 0o644);
  return server;
}

async function loadOrCreateCa(dir: string, now: Date): Promise<CertAndKey> {
  const certPath = join(dir, TLS_FILES.caCert);
  const keyPath = join(dir, TLS_FILES.caKey);
  const certPem = await readIfExists(certPath);
  if (certPem === undefined) {
    // No ca.pem means no node can have pinned this CA yet: a leftover ca.key (crash during the
    // first start) is simply replaced.
    const notAfter = new Date(now);
    notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
    const ca = await createCaCertificate({
      commonName: `OSBuild controller CA ${randomBytes(4).toString('hex')}`,
      validity: { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter },
    });
    await writeFileAtomic(keyPath, ca.keyPem, 0o600);
    await writeFileAtomic(certPath, ca.certPem, 0o644);
    return ca;
  }
  const keyPem = await readIfExists(keyPath);
  if (keyPem === undefined) {
    throw new UserError(
      'tls',
      `${certPath} exists but its key ${keyPath} does not: restore the key, or move both away to create a new CA (every node must then be given the new fingerprint)`,
    );
  }
  let matches: boolean;
  try {
    matches = new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem));
  } catch (err) {
    throw new UserError('tls', `cannot read the controller CA in ${dir}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (!matches) throw new UserError('tls', `${keyPath} is not the key of ${certPath}`);
  await chmod(keyPath, 0o600); // a key restored from a backup may have come back world-readable
  return { certPem, keyPem };
}

async function loadServer(dir: string): Promise<CertAndKey | undefined> {
  const certPem = await readIfExists(join(dir, TLS_FILES.serverCert));
  const keyPem = await readIfExists(join(dir, TLS_FILES.serverKey));
  if (certPem === undefined || keyPem === undefined) return undefined;
  return { certPem, keyPem };
}

/** Null when the server certificate can stay; otherwise why it must be re-issued. */
function whyReissue(
  server: CertAndKey,
  caCert: X509Certificate,
  sans: readonly string[],
  renewIfExpiresBeforeMs: number,
): RenewReason | null {
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(server.certPem);
    if (!leaf.checkPrivateKey(createPrivateKey(server.keyPem))) return 'unusable';
  } catch {
    return 'unusable';
  }
  if (!leaf.checkIssued(caCert) || !leaf.verify(caCert.publicKey)) return 'not-from-ca';
  if (new Date(leaf.validTo).getTime() <= renewIfExpiresBeforeMs) return 'expiring';
  if (!sans.every((san) => covers(leaf, san))) return 'sans-changed';
  return null;
}

/** The same matching a TLS client does (OpenSSL's X509_check_host / X509_check_ip). */
function covers(leaf: X509Certificate, san: string): boolean {
  if (isIP(san)) return leaf.checkIP(san) !== undefined;
  return leaf.checkHost(san, { subject: 'never', wildcards: false }) !== undefined;
}
