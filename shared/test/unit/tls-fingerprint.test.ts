import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fingerprintOf,
  fingerprintOfDer,
  fingerprintsEqual,
  normaliseFingerprint,
  splitPemCertificates,
} from '../../src/index.js';

const CA = readFileSync(new URL('../../../test/fixtures/tls/ca.pem', import.meta.url), 'utf8');
const OTHER = readFileSync(new URL('../../../test/fixtures/tls/other-ca.pem', import.meta.url), 'utf8');

describe('certificate fingerprints', () => {
  it('are SHA-256 of the DER as uppercase colon-separated hex', () => {
    const fp = fingerprintOf(CA);
    expect(fp).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(fingerprintOfDer(new X509Certificate(CA).raw)).toBe(fp);
  });

  it('normalise from any case, with or without colons, with a sha256 prefix', () => {
    const fp = fingerprintOf(CA);
    const bare = fp.replace(/:/g, '');
    for (const form of [
      fp,
      fp.toLowerCase(),
      bare,
      bare.toLowerCase(),
      `sha256:${bare}`,
      `SHA256 Fingerprint=${fp}`,
    ]) {
      expect(normaliseFingerprint(form)).toBe(fp);
    }
    expect(fingerprintsEqual(bare.toLowerCase(), fp)).toBe(true);
    expect(fingerprintsEqual(fingerprintOf(OTHER), fp)).toBe(false);
  });

  it('reject anything that is not 32 bytes of hex', () => {
    for (const bad of ['', 'AB:CD', `${'A'.repeat(64)}00`, 'Z'.repeat(64)]) {
      expect(() => normaliseFingerprint(bad)).toThrow(/invalid SHA-256 fingerprint/);
    }
  });

  it('split a PEM bundle into its certificates', () => {
    const certs = splitPemCertificates(`junk\n${CA}\n${OTHER}`);
    expect(certs.map(fingerprintOf)).toEqual([fingerprintOf(CA), fingerprintOf(OTHER)]);
  });
});
