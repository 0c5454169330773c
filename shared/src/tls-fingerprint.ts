// Certificate fingerprints in the form operators copy around (`openssl x509 -fingerprint -sha256`
// prints it after the `=`). Shared so the controller that shows a pin and the agent that checks it
// cannot disagree on the format.
import { createHash, timingSafeEqual, X509Certificate } from 'node:crypto';
import { UserError } from './errors.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Uppercase hex pairs joined by colons, e.g. `AB:CD:...` (32 pairs for SHA-256). */
function colonHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase().match(/../g)!.join(':');
}

/** SHA-256 of a DER certificate, as `AB:CD:...` (what openssl prints). */
export function fingerprintOfDer(der: Uint8Array): string {
  return colonHex(createHash('sha256').update(der).digest());
}

/** SHA-256 fingerprint of the first certificate of a PEM text, as `AB:CD:...`. */
export function fingerprintOf(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/** Every certificate of a PEM text (a bundle may hold several CAs, e.g. during a CA rotation). */
export function splitPemCertificates(pem: string): string[] {
  return (pem.match(PEM_BLOCK) ?? []).map((block) => `${block}\n`);
}

/**
 * A SHA-256 fingerprint as `AB:CD:...`, from any case, with or without colons (or spaces), with an
 * optional `sha256:` / `SHA256 Fingerprint=` prefix. Throws a {@link UserError} for anything that
 * is not 32 bytes of hex.
 */
export function normaliseFingerprint(input: string): string {
  const hex = input
    .trim()
    .replace(/^(sha-?256)(\s+fingerprint)?\s*[:=]\s*/i, '')
    .replace(/[:\s]/g, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new UserError(
      'bad-request',
      `invalid SHA-256 fingerprint ${JSON.stringify(input)}: expected 64 hex digits, with or without colons`,
    );
  }
  return colonHex(Buffer.from(hex, 'hex'));
}

/** Constant-time comparison of two fingerprints in any accepted notation. */
export function fingerprintsEqual(a: string, b: string): boolean {
  const x = Buffer.from(normaliseFingerprint(a).replace(/:/g, ''), 'hex');
  const y = Buffer.from(normaliseFingerprint(b).replace(/:/g, ''), 'hex');
  return timingSafeEqual(x, y);
}
