import { once } from 'node:events';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type tls from 'node:tls';
import { topics } from '@osbuild/shared';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/host/clock.js';
import { ensureCertificates, type TlsMaterial } from '../../src/tls/certificates.js';
import { createTlsServer } from '../../src/tls/tls-listener.js';
import { tlsDir } from '../../src/tls/tls-paths.js';
import { connectMqtt, type MqttPort } from '../../src/transport/mqtt.js';
import { errorReply, runCli } from '../support/cli-harness.js';

const SANS = ['localhost', '127.0.0.1'];

let dataDir: string;
let material: TlsMaterial;
let otherMaterial: TlsMaterial;
const cleanup: Array<() => Promise<void>> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'osbuild-tls-connect-'));
  material = await ensureCertificates({ dir: tlsDir(dataDir), sans: SANS, clock: systemClock });
  const otherDir = await mkdtemp(join(tmpdir(), 'osbuild-tls-other-'));
  otherMaterial = await ensureCertificates({ dir: otherDir, sans: SANS, clock: systemClock });
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** A real Aedes behind createTlsServer on 127.0.0.1; resolves with its port. */
async function serveTls(m: TlsMaterial): Promise<number> {
  const { Aedes } = await import('aedes');
  const broker = await Aedes.createBroker();
  const server: tls.Server = createTlsServer(m, broker.handle);
  server.on('tlsClientError', () => {}); // refused handshakes are what some tests expect
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanup.push(async () => {
    await new Promise<void>((r) => broker.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

async function connected(url: string, ca?: string): Promise<MqttPort> {
  const port = await connectMqtt(url, {
    clientId: `tls-test-${Math.random().toString(16).slice(2)}`,
    connectTimeoutMs: 5_000,
    ...(ca !== undefined ? { ca } : {}),
  });
  cleanup.push(() => port.close(true));
  return port;
}

describe('controller-side MQTT client over TLS', () => {
  it('connects to mqtts:// when given the CA, by IP and by name, and messages flow', async () => {
    const port = await serveTls(material);
    const a = await connected(`mqtts://127.0.0.1:${port}`, material.caCertPem);
    const b = await connected(`mqtts://localhost:${port}`, material.caCertPem);
    const got = new Promise<string>((resolve) => a.onMessage((m) => resolve(m.payload.toString())));
    await a.subscribe([topics.controllerStatus()]);
    await b.publish(topics.controllerStatus(), 'hello over tls');
    expect(await got).toBe('hello over tls');
  });

  it('fails without the CA (the system store does not know it)', async () => {
    const port = await serveTls(material);
    await expect(connected(`mqtts://127.0.0.1:${port}`)).rejects.toThrow(
      /cannot connect to MQTT broker .*certificate/,
    );
  });

  it('fails against a server whose certificate comes from another CA', async () => {
    const port = await serveTls(otherMaterial);
    await expect(connected(`mqtts://127.0.0.1:${port}`, material.caCertPem)).rejects.toThrow(
      /cannot connect to MQTT broker .*certificate/,
    );
  });

  it('fails when the certificate does not name the host', async () => {
    const narrow = await ensureCertificates({
      dir: await mkdtemp(join(tmpdir(), 'osbuild-tls-narrow-')),
      sans: ['ctl.example'],
      clock: systemClock,
    });
    const port = await serveTls(narrow);
    await expect(connected(`mqtts://127.0.0.1:${port}`, narrow.caCertPem)).rejects.toThrow(
      /IP: 127\.0\.0\.1 is not in the cert's list/,
    );
  });
});

describe('osbuild CLI against an mqtts:// controller', () => {
  it('trusts <data-dir>/tls/ca.pem without being told', async () => {
    const port = await serveTls(material);
    const url = `mqtts://127.0.0.1:${port}`;
    const responder = await connected(url, material.caCertPem);
    responder.onMessage((msg) => {
      const req = JSON.parse(msg.payload.toString());
      void responder.publish(topics.rpcResponse(req.replyTo), errorReply(req, 'not-found', 'no such node'));
    });
    await responder.subscribe([topics.rpcRequest()]);

    const r = await runCli(['nodes', 'show', 'pi-x', '--controller', url, '--data-dir', dataDir]);
    expect(r.stderr).toContain('not-found: no such node'); // the request went through TLS and back
    expect(r.code).toBe(3);
  });

  it('uses --ca-file over the data dir, and fails verification with the wrong CA', async () => {
    const port = await serveTls(material);
    const caFile = join(tlsDir(dataDir), 'ca.pem');
    const otherCa = join(tlsDir(dataDir), '..', 'other-ca.pem');
    await writeFile(otherCa, otherMaterial.caCertPem);
    const url = `mqtts://127.0.0.1:${port}`;
    const ok = await runCli(['status', '--controller', url, '--ca-file', caFile, '--timeout', '1']);
    expect(ok.code).toBe(5); // connected over TLS; nobody answers the rpc
    expect(ok.stderr).not.toMatch(/certificate/);
    const bad = await runCli(['status', '--controller', url, '--data-dir', dataDir, '--ca-file', otherCa]);
    expect(bad.code).toBe(5);
    expect(bad.stderr).toMatch(/certificate/);
  });

  it('exits 2 when --ca-file does not exist', async () => {
    const r = await runCli([
      'status',
      '--controller',
      'mqtts://127.0.0.1:1',
      '--ca-file',
      '/nonexistent/ca.pem',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('CA file not found: /nonexistent/ca.pem');
  });
});
