import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/host/clock.js';
import { ensureCertificates, type TlsMaterial } from '../../src/tls/certificates.js';
import { tlsDir } from '../../src/tls/tls-paths.js';
import { runBin, runCli } from '../support/cli-harness.js';

let dataDir: string;
let material: TlsMaterial;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'osbuild-ca-show-'));
  material = await ensureCertificates({ dir: tlsDir(dataDir), sans: ['localhost'], clock: systemClock });
});

describe('osbuild ca show', () => {
  it('prints the CA and the fingerprint ensureCertificates made (real bin, json)', async () => {
    const r = await runBin(['ca', 'show', '--data-dir', dataDir, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.fingerprint).toBe(material.caFingerprint);
    expect(json.pem).toBe(material.caCertPem);
    expect(json.subject).toMatch(/^CN=OSBuild controller CA [0-9a-f]{8}, O=OSBuild$/);
    expect(new Date(json.notAfter).getUTCFullYear()).toBe(new Date().getUTCFullYear() + 10);
  });

  it('prints PEM and fingerprint as text, finding the data dir from OSBUILD_DATA_DIR', async () => {
    const r = await runCli(['ca', 'show'], { env: { OSBUILD_DATA_DIR: dataDir } });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`SHA-256:     ${material.caFingerprint}`);
    expect(r.stdout).toContain(`--ca-fingerprint ${material.caFingerprint}`);
    expect(r.stdout).toContain(material.caCertPem.trim());
  });

  it('exits 3 with a clear message before the controller has made its CA', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'osbuild-ca-none-'));
    const r = await runCli(['ca', 'show', '--data-dir', empty]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`no controller CA at ${join(empty, 'tls', 'ca.pem')}`);
    expect(r.stdout).toBe('');
  });
});
