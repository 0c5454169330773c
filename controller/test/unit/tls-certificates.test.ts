import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { beforeEach, describe, expect, it } from 'vitest';
import { ensureCertificates } from '../../src/tls/certificates.js';

const SANS = ['localhost', '127.0.0.1', '::1', 'ctl-1'];
const DAY = 24 * 60 * 60 * 1000;
const START = new Date('2026-01-10T12:00:00Z');

let dir: string;

beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'osbuild-certs-')), 'tls');
});

const at = (d: Date) => ({ now: () => d });
const mode = async (p: string) => (await stat(p)).mode & 0o777;

function opensslFingerprint(pemPath: string): string | undefined {
  try {
    const out = execFileSync('openssl', ['x509', '-in', pemPath, '-noout', '-fingerprint', '-sha256'], {
      encoding: 'utf8',
    });
    return out.trim().split('=')[1];
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // no openssl here
    throw err;
  }
}

describe('ensureCertificates', () => {
  it('creates a CA and a server certificate it signed, with private modes', async () => {
    const m = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    expect(m.renewed).toBe(true);
    expect(await mode(dir)).toBe(0o700);
    expect(await mode(join(dir, 'ca.key'))).toBe(0o600);
    expect(await mode(join(dir, 'server.key'))).toBe(0o600);
    expect(await readFile(join(dir, 'ca.pem'), 'utf8')).toBe(m.caCertPem);
    expect(await readFile(join(dir, 'server.pem'), 'utf8')).toBe(m.certPem);
    expect(await readFile(join(dir, 'server.key'), 'utf8')).toBe(m.keyPem);
    expect((await readdir(dir)).sort()).toEqual(['ca.key', 'ca.pem', 'server.key', 'server.pem']);

    const ca = new X509Certificate(m.caCertPem);
    expect(ca.ca).toBe(true);
    expect(new Date(ca.validTo).getUTCFullYear()).toBe(2036);
    const caUsage = new x509.X509Certificate(m.caCertPem).getExtension(x509.KeyUsagesExtension);
    expect(caUsage!.usages & x509.KeyUsageFlags.keyCertSign).toBeTruthy();
    expect(ca.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');

    const leaf = new X509Certificate(m.certPem);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca) && leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1']); // Node's name for the EKU: serverAuth
    expect(leaf.checkHost('ctl-1')).toBe('ctl-1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkIP('::1')).toBeDefined();
    expect(leaf.subjectAltName).not.toMatch(/DNS:127\.0\.0\.1/);
    expect(m.serverNotAfter.getTime()).toBe(new Date(leaf.validTo).getTime());
    expect(Math.round((m.serverNotAfter.getTime() - START.getTime()) / DAY)).toBe(397);
    expect(m.caFingerprint).toBe(ca.fingerprint256);
  });

  it('reuses everything on a later call', async () => {
    const first = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    const again = await ensureCertificates({
      dir,
      sans: ['127.0.0.1', 'CTL-1'],
      clock: at(new Date(START.getTime() + 100 * DAY)),
    });
    expect(again.renewed).toBe(false);
    expect(again.caCertPem).toBe(first.caCertPem);
    expect(again.certPem).toBe(first.certPem);
    expect(again.keyPem).toBe(first.keyPem);
  });

  it('re-issues the server certificate from the same CA when it expires within 30 days', async () => {
    const first = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    const early = await ensureCertificates({
      dir,
      sans: SANS,
      clock: at(new Date(first.serverNotAfter.getTime() - 31 * DAY)),
    });
    expect(early.renewed).toBe(false);

    const later = new Date(first.serverNotAfter.getTime() - 20 * DAY);
    const renewed = await ensureCertificates({ dir, sans: SANS, clock: at(later) });
    expect(renewed.renewed).toBe(true);
    expect(renewed.renewReason).toBe('expiring');
    expect(renewed.certPem).not.toBe(first.certPem);
    expect(renewed.keyPem).not.toBe(first.keyPem);
    expect(renewed.caFingerprint).toBe(first.caFingerprint);
    expect(renewed.caCertPem).toBe(first.caCertPem);
    expect(renewed.serverNotAfter.getTime()).toBeGreaterThan(first.serverNotAfter.getTime());
    const ca = new X509Certificate(first.caCertPem);
    expect(new X509Certificate(renewed.certPem).verify(ca.publicKey)).toBe(true);
  });

  it('re-issues when a SAN it does not cover is requested', async () => {
    const first = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    const more = await ensureCertificates({ dir, sans: [...SANS, '10.0.0.5', 'ctl.lan'], clock: at(START) });
    expect(more.renewed).toBe(true);
    expect(more.renewReason).toBe('sans-changed');
    expect(more.caFingerprint).toBe(first.caFingerprint);
    const leaf = new X509Certificate(more.certPem);
    expect(leaf.checkIP('10.0.0.5')).toBe('10.0.0.5');
    expect(leaf.checkHost('ctl.lan')).toBe('ctl.lan');
  });

  it('honours renewBeforeDays and serverValidityDays', async () => {
    const m = await ensureCertificates({ dir, sans: SANS, clock: at(START), serverValidityDays: 90 });
    expect(Math.round((m.serverNotAfter.getTime() - START.getTime()) / DAY)).toBe(90);
    const in50 = at(new Date(START.getTime() + 50 * DAY));
    expect((await ensureCertificates({ dir, sans: SANS, clock: in50 })).renewed).toBe(false);
    const r = await ensureCertificates({ dir, sans: SANS, clock: in50, renewBeforeDays: 45 });
    expect(r.renewed).toBe(true);
  });

  it('repairs a server key that does not match its certificate', async () => {
    const first = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    await writeFile(join(dir, 'server.key'), await readFile(join(dir, 'ca.key'))); // a key, not its key
    const fixed = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    expect(fixed.renewReason).toBe('unusable');
    expect(new X509Certificate(fixed.certPem).checkIssued(new X509Certificate(first.caCertPem))).toBe(true);
    expect(await mode(join(dir, 'server.key'))).toBe(0o600);
  });

  it('re-issues a server certificate that another CA signed', async () => {
    const mine = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    const otherDir = join(dir, '..', 'other');
    const other = await ensureCertificates({ dir: otherDir, sans: SANS, clock: at(START) });
    await writeFile(join(dir, 'server.pem'), other.certPem);
    await writeFile(join(dir, 'server.key'), other.keyPem);
    const fixed = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    expect(fixed.renewReason).toBe('not-from-ca');
    expect(fixed.caFingerprint).toBe(mine.caFingerprint);
    expect(new X509Certificate(fixed.certPem).verify(new X509Certificate(mine.caCertPem).publicKey)).toBe(
      true,
    );
  });

  it('never replaces a CA whose key is missing', async () => {
    await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    await rm(join(dir, 'ca.key'));
    await expect(ensureCertificates({ dir, sans: SANS, clock: at(START) })).rejects.toThrow(
      /ca\.pem exists but its key .*ca\.key does not/,
    );
  });

  it('reports the fingerprint exactly as openssl prints it', async (ctx) => {
    const m = await ensureCertificates({ dir, sans: SANS, clock: at(START) });
    expect(m.caFingerprint).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const fromOpenssl = opensslFingerprint(join(dir, 'ca.pem'));
    if (fromOpenssl === undefined) ctx.skip();
    expect(m.caFingerprint).toBe(fromOpenssl);
  });
});
