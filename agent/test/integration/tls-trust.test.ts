import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fingerprintOf, isUserError } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { startAgent } from '../../src/index.js';
import type { ConnectMqtt, ConnectOptions } from '../../src/transport/mqtt-connection.js';
import { connectMqtt } from '../../src/transport/mqtt-transport.js';
import { readPeerChain } from '../../src/transport/tls-probe.js';
import {
  checkTlsOptions,
  SAVED_CA_FILE,
  TlsTrustError,
  type TlsTrustOptions,
  withTlsTrust,
} from '../../src/transport/tls-trust.js';
import { fixturePath, pem, startTlsBroker, type TlsBroker } from '../support/tls-broker.js';

const CA = pem('ca.pem');
const CA_FP = fingerprintOf(CA);
const OTHER_CA = pem('other-ca.pem');
const OTHER_FP = fingerprintOf(OTHER_CA);
/** What the controller serves: its leaf, then its CA (tls-listener.ts). */
const GENUINE = { cert: pem('server.pem') + CA, key: pem('server.key') };
/** A man in the middle with its own CA. */
const IMPOSTOR = { cert: pem('other-server.pem') + OTHER_CA, key: pem('other-server.key') };
/** A man in the middle that appends the real (public) CA certificate to its own leaf. */
const IMPOSTOR_WITH_REAL_CA = { cert: pem('other-server.pem') + CA, key: pem('other-server.key') };
/** A leaf claiming the real CA as issuer (same name and key id), signed by another key. */
const FORGED = { cert: pem('forged-server.pem') + CA, key: pem('forged-server.key') };

const brokers: TlsBroker[] = [];
let stateDir: string;
let logs: { level: number; msg: string }[];

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-tls-'));
  logs = [];
});

afterEach(async () => {
  for (const b of brokers.splice(0)) await b.close();
});

async function serve(chain: { cert: string; key: string }): Promise<TlsBroker> {
  const b = await startTlsBroker(chain.cert, chain.key);
  brokers.push(b);
  return b;
}

function trusted(tls: TlsTrustOptions, probes = { count: 0 }): ConnectMqtt {
  const logger = pino({ level: 'info' }, { write: (line: string) => logs.push(JSON.parse(line)) });
  return withTlsTrust(connectMqtt, {
    tls,
    stateDir,
    logger,
    readChain: (target) => {
      probes.count += 1;
      return readPeerChain(target);
    },
  });
}

function opts(url: string, clientId = 'agent-tls-test'): ConnectOptions {
  return {
    url,
    clientId,
    keepaliveSec: 5,
    connectTimeoutMs: 5_000,
    will: { topic: `osbuild/v1/nodes/${clientId}/status`, payload: '{}' },
  };
}

async function connectOnce(connect: ConnectMqtt, url: string): Promise<void> {
  const conn = await connect(opts(url));
  await conn.end();
}

const errorLogs = () => logs.filter((l) => l.level >= 50).map((l) => l.msg);

describe('agent trust in an mqtts:// controller', () => {
  it('connects when the server chains to the CA file', async () => {
    const b = await serve(GENUINE);
    await connectOnce(trusted({ caFile: fixturePath('ca.pem') }), b.url);
    expect(b.clientIds).toEqual(['agent-tls-test']);
  });

  it('refuses a server that does not chain to the CA file', async () => {
    const b = await serve(GENUINE);
    await expect(connectOnce(trusted({ caFile: fixturePath('other-ca.pem') }), b.url)).rejects.toThrow();
    expect(b.clientIds).toEqual([]);
    expect(errorLogs().join('\n')).toMatch(/not signed by the configured CA/);
  });

  it('learns the pinned CA from the handshake, saves it 0600, and verifies against it from then on', async () => {
    const b = await serve(GENUINE);
    const probes = { count: 0 };
    const connect = trusted({ caFingerprint: CA_FP.replace(/:/g, '').toLowerCase() }, probes);
    await connectOnce(connect, b.url);
    const saved = path.join(stateDir, SAVED_CA_FILE);
    expect(fingerprintOf(await readFile(saved, 'utf8'))).toBe(CA_FP);
    expect((await stat(saved)).mode & 0o777).toBe(0o600);
    await connectOnce(connect, b.url);
    expect(probes.count).toBe(1); // the second session used the saved CA, no unverified probe
    expect(b.clientIds).toEqual(['agent-tls-test', 'agent-tls-test']);
  });

  it('refuses a server whose CA is not the pinned one and saves nothing', async () => {
    const b = await serve(GENUINE);
    await expect(connectOnce(trusted({ caFingerprint: OTHER_FP }), b.url)).rejects.toThrow(
      /presented CA .* which is not the pinned/,
    );
    expect(b.clientIds).toEqual([]);
    await expect(stat(path.join(stateDir, SAVED_CA_FILE))).rejects.toThrow(/ENOENT/);
    expect(errorLogs().join('\n')).toMatch(/its CA is not the pinned one/);
  });

  it('refuses a man in the middle with its own CA, before and after the real CA was learned', async () => {
    const mitm = await serve(IMPOSTOR);
    const connect = trusted({ caFingerprint: CA_FP });
    await expect(connectOnce(connect, mitm.url)).rejects.toThrow(/not the pinned/);
    const real = await serve(GENUINE);
    await connectOnce(connect, real.url);
    await expect(connectOnce(connect, mitm.url)).rejects.toThrow(/not the pinned/);
    expect(mitm.clientIds).toEqual([]);
    expect(fingerprintOf(await readFile(path.join(stateDir, SAVED_CA_FILE), 'utf8'))).toBe(CA_FP);
  });

  it('refuses a man in the middle that appends the real CA certificate to its own', async () => {
    const mitm = await serve(IMPOSTOR_WITH_REAL_CA);
    const connect = trusted({ caFingerprint: CA_FP });
    await expect(connectOnce(connect, mitm.url)).rejects.toThrow(/does not lead to a self-signed CA/);
    await expect(stat(path.join(stateDir, SAVED_CA_FILE))).rejects.toThrow(/ENOENT/);
    const real = await serve(GENUINE);
    await connectOnce(connect, real.url);
    await expect(connectOnce(connect, mitm.url)).rejects.toThrow(TlsTrustError);
    expect(mitm.clientIds).toEqual([]);
    expect(errorLogs().join('\n')).toMatch(/refusing the controller/);
  });

  it("refuses a leaf forged in the pinned CA's name, even though the chain ends in the pinned CA", async () => {
    const forged = await serve(FORGED);
    await expect(connectOnce(trusted({ caFingerprint: CA_FP }), forged.url)).rejects.toThrow(
      /not signed by the pinned CA/,
    );
    expect(forged.clientIds).toEqual([]);
    expect(errorLogs().join('\n')).toMatch(/its certificate is not signed by the pinned CA/);
  });

  it('follows the controller to a new CA once the node pins both (CA rotation)', async () => {
    const old = await serve(GENUINE);
    const connect = trusted({ caFingerprint: `${CA_FP},${OTHER_FP}` });
    await connectOnce(connect, old.url);
    const rotated = await serve(IMPOSTOR); // "other" plays the new CA here
    await connectOnce(connect, rotated.url);
    expect(rotated.clientIds).toEqual(['agent-tls-test']);
    expect(fingerprintOf(await readFile(path.join(stateDir, SAVED_CA_FILE), 'utf8'))).toBe(OTHER_FP);
  });

  it('an agent started with a pin connects over TLS', async () => {
    const b = await serve(GENUINE);
    const agent = await startAgent({
      controllerUrl: b.url,
      hostRoot: await copyHostFixture('pi5-a'),
      stateDir,
      logger: pino({ level: 'silent' }),
      reconnect: { baseMs: 50, capMs: 400 },
      keepaliveSec: 5,
      tls: { caFingerprint: CA_FP },
    });
    try {
      await expect.poll(() => b.clientIds, { timeout: 10_000 }).toContain(`agent-${agent.nodeId}`);
    } finally {
      await agent.stop();
    }
  });
});

describe('plain mqtt:// when a controller CA is configured', () => {
  const remote = 'mqtt://192.0.2.10:1883'; // TEST-NET-1: refused before any packet is sent

  it('is refused for a host that is not loopback, at start and at connect', async () => {
    await expect(checkTlsOptions(remote, { caFingerprint: CA_FP })).rejects.toSatisfy(isUserError);
    await expect(checkTlsOptions(remote, { caFile: fixturePath('ca.pem') })).rejects.toThrow(/use mqtts/);
    let calls = 0;
    const connect = withTlsTrust(
      async () => {
        calls += 1;
        throw new Error('must not be reached');
      },
      { tls: { caFingerprint: CA_FP }, stateDir, logger: pino({ level: 'silent' }) },
    );
    await expect(connect(opts(remote))).rejects.toThrow(/refusing plain mqtt:\/\/ to 192\.0\.2\.10/);
    expect(calls).toBe(0);
  });

  it('is allowed on loopback', async () => {
    await expect(checkTlsOptions('mqtt://127.0.0.1:1883', { caFingerprint: CA_FP })).resolves.toBeUndefined();
    await expect(checkTlsOptions('mqtt://localhost:1883', { caFingerprint: CA_FP })).resolves.toBeUndefined();
  });

  it('makes `osbuild-agent run` exit 2 with the reason', async () => {
    let stderr = '';
    const code = await main(
      ['run', '--controller', remote, '--ca-fingerprint', CA_FP, '--host-root', '/nonexistent-root'],
      { stdout: () => {}, stderr: (t) => (stderr += t), stopSignal: new AbortController().signal },
    );
    expect(code).toBe(2);
    expect(stderr).toMatch(/refusing plain mqtt:\/\/ to 192\.0\.2\.10 while a controller CA is configured/);
  });

  it('makes an invalid pin a usage error', async () => {
    await expect(checkTlsOptions('mqtts://127.0.0.1:8883', { caFingerprint: 'abc' })).rejects.toThrow(
      /invalid SHA-256 fingerprint/,
    );
  });
});
