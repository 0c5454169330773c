// The broker's access rules over real TLS on 127.0.0.1, with real mqtt.js clients: who may connect,
// publish and subscribe. Each refusal is observed from the client's side.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { topics } from '@osbuild/shared';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startController } from '../../src/server/start-controller.js';
import { connectMqtt, type MqttPort } from '../../src/transport/mqtt.js';
import {
  controllerSecrets,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  startTestController,
  waitFor,
} from '../support/e2e.js';
import { helloFrom } from '../support/provisioner-harness.js';

const A = 'pi-10000000000000a1';
const B = 'pi-10000000000000a3';

type Controller = Awaited<ReturnType<typeof startTestController>>;
let controller: Controller;
let secrets: Awaited<ReturnType<typeof controllerSecrets>>;
const opened: MqttPort[] = [];
const nodeCredentials = new Map<string, { username: string; password: string }>();

/** CONNACK return code of a connection attempt (0 = accepted). */
async function connackCode(opts: {
  clientId: string;
  username?: string;
  password?: string;
}): Promise<number> {
  const client = mqtt.connect(controller.mqttUrl, {
    ...opts,
    ca: secrets.ca,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
  });
  return new Promise((resolve) => {
    client.once('connect', () => {
      client.end(true);
      resolve(0);
    });
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      resolve(typeof err.code === 'number' ? err.code : -1);
    });
  });
}

async function as(opts: { clientId: string; username: string; password: string }): Promise<MqttPort> {
  const port = await connectMqtt(controller.mqttUrl, { ...opts, ca: secrets.ca });
  opened.push(port);
  return port;
}

/** Enrol `nodeId` through the claim exchange and return a connection with its own credential. */
async function enrolled(nodeId: string, serial: string, mac: string): Promise<MqttPort> {
  const claim = await as({ clientId: `agent-${nodeId}`, username: 'claim', password: secrets.claimSecret });
  const welcome = new Promise<{ outcome: string; credential?: { username: string; password: string } }>(
    (resolve) => claim.onMessage((m) => resolve(JSON.parse(m.payload.toString()))),
  );
  await claim.subscribe([topics.node(nodeId, 'welcome')]);
  await claim.publish(topics.node(nodeId, 'claim'), helloFrom({ serial, mac }));
  const w = await welcome;
  await claim.close();
  if (!w.credential) throw new Error(`not enrolled: ${JSON.stringify(w)}`);
  nodeCredentials.set(nodeId, w.credential);
  return as({ clientId: `agent-${nodeId}`, ...w.credential });
}

/**
 * Whether a QoS 1 publish is accepted. A refused publish gets no PUBACK (MQTT 3.1.1 has no negative
 * acknowledgement): Aedes drops the connection instead. "Closed, or no PUBACK within 3 s" means
 * refused — an accepted one is acknowledged in milliseconds on loopback.
 */
async function publishAccepted(port: MqttPort, topic: string, payload = '{}'): Promise<boolean> {
  const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000));
  const acked = port.publish(topic, payload, { qos: 1 }).then(
    () => true,
    () => false,
  );
  return Promise.race([acked, port.closed.then(() => false), timeout]);
}

beforeAll(async () => {
  // A short refusal window, so the summaries of repeated refusals are written while we look.
  controller = await startTestController(await makeWorkspace(FIXTURE_INVENTORY), {
    options: { refusalWindowMs: 1_000 },
  });
  secrets = await controllerSecrets(controller.dataDir);
});
afterAll(async () => {
  for (const p of opened) await p.close(true).catch(() => undefined);
  await controller.stop();
});

describe('broker access over TLS (Aedes defaults overridden)', () => {
  it('refuses anonymous clients and wrong passwords, and counts them in the audit log', async () => {
    const attempts = 7;
    expect(await connackCode({ clientId: 'cli-anon' })).toBe(5);
    expect(await connackCode({ clientId: `agent-${A}` })).toBe(5);
    expect(await connackCode({ clientId: 'cli-guess', username: 'admin', password: 'wrong-password' })).toBe(
      4,
    );
    expect(await connackCode({ clientId: `agent-${A}`, username: 'claim', password: 'not-the-claim' })).toBe(
      4,
    );
    expect(await connackCode({ clientId: `agent-${A}`, username: A, password: 'x'.repeat(43) })).toBe(4);
    expect(
      await connackCode({
        clientId: 'osbuild-controller',
        username: 'osbuild-controller',
        password: 'guess',
      }),
    ).toBe(4);
    // The operator's real password with a client id that is not an operator's.
    expect(await connackCode({ clientId: 'not-a-cli', ...secrets.operator })).toBe(5);
    expect(await connackCode({ clientId: 'cli-ok', ...secrets.operator })).toBe(0);

    // All from 127.0.0.1: each window's first refusal is written whole, the rest are counted in a
    // `login.refused.summary` once the window ends.
    const audit = await waitFor('every refusal counted', async () => {
      const text = await readFile(join(controller.dataDir, 'audit.log'), 'utf8');
      const entries = text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { action: string; detail?: { further?: number } });
      const whole = entries.filter((e) => e.action === 'login.refused').length;
      const counted = entries
        .filter((e) => e.action === 'login.refused.summary')
        .reduce((n, e) => n + (e.detail?.further ?? 0), 0);
      return whole >= 1 && whole + counted >= attempts && text;
    });
    expect(audit).not.toContain('wrong-password');
    expect(audit).not.toContain('not-the-claim');
  });

  it('confines a claim-only client to its hello exchange', async () => {
    const claim = await as({ clientId: `agent-${A}`, username: 'claim', password: secrets.claimSecret });
    await expect(claim.subscribe([topics.node(A, 'cmd')])).rejects.toThrow(/refused/);
    await expect(claim.subscribe([topics.node(B, 'welcome')])).rejects.toThrow(/refused/);
    await expect(claim.subscribe([topics.allNodes('welcome')])).rejects.toThrow(/refused/);
    await claim.subscribe([topics.node(A, 'welcome')]);
    expect(await publishAccepted(claim, topics.node(A, 'hello'))).toBe(false);
  });

  it("keeps node A out of node B's topics", async () => {
    const a = await enrolled(A, '10000000000000a1', 'dc:a6:32:00:00:0a');
    await expect(a.subscribe([topics.node(B, 'cmd')])).rejects.toThrow(/refused/);
    await expect(a.subscribe([topics.allNodes('cmd')])).rejects.toThrow(/refused/);
    await expect(a.subscribe(['osbuild/v1/#'])).rejects.toThrow(/refused/);
    await a.subscribe([topics.node(A, 'cmd')]);
    expect(await publishAccepted(a, topics.node(B, 'cmd-result'))).toBe(false);
  });

  it('lets a node publish its own results but not commands, even to itself', async () => {
    const b = await enrolled(B, '10000000000000a3', 'dc:a6:32:00:00:0c');
    expect(await publishAccepted(b, topics.node(B, 'events'))).toBe(true);
    expect(await publishAccepted(b, topics.node(B, 'cmd'))).toBe(false);
  });

  it('refuses payloads over the size limit', async () => {
    const op = await as({ clientId: 'cli-big', ...secrets.operator });
    const big = JSON.stringify({
      v: 1,
      id: 'big',
      replyTo: 'cli-big',
      method: 'nodes.list',
      params: { pad: 'x'.repeat(300_000) },
    });
    expect(await publishAccepted(op, topics.rpcRequest(), big)).toBe(false);
  });

  it('rotates claims without touching nodes that already hold credentials', async () => {
    const enrolledNode = await enrolled('pi-10000000000000a2', '10000000000000a2', 'dc:a6:32:00:00:0b');
    await enrolledNode.close();
    const rpc = await operator(controller);
    const fresh = await rpc.call('claims.add', {});
    const old = (await rpc.call('claims.list', {})).find((c) => c.id !== fresh.id && c.revokedAt === null);
    await rpc.call('claims.revoke', { id: old!.id });
    await rpc.close();
    // The image's old claim no longer works; the new one does; the node's own credential is unaffected.
    expect(
      await connackCode({
        clientId: 'agent-pi-10000000000000c2',
        username: 'claim',
        password: secrets.claimSecret,
      }),
    ).toBe(4);
    expect(
      await connackCode({ clientId: 'agent-pi-10000000000000c2', username: 'claim', password: fresh.secret }),
    ).toBe(0);
    const credential = JSON.parse(JSON.stringify(nodeCredentials.get('pi-10000000000000a2')));
    expect(await connackCode({ clientId: 'agent-pi-10000000000000a2', ...credential })).toBe(0);
  });

  it('gives monitors read-only access', async () => {
    const rpc = await operator(controller);
    const user = await rpc.call('users.add', { name: 'grafana', role: 'monitor' });
    await rpc.close();
    const monitor = await as({ clientId: 'grafana-1', username: 'grafana', password: user.password });
    await monitor.subscribe([topics.allNodes('status'), topics.allNodes('events')]);
    await expect(monitor.subscribe([topics.allNodes('cmd')])).rejects.toThrow(/refused/);
    expect(await publishAccepted(monitor, topics.node(A, 'status'))).toBe(false);

    // Removing the user ends its live sessions and its password stops working.
    const live = await as({ clientId: 'grafana-2', username: 'grafana', password: user.password });
    const admin = await operator(controller);
    await admin.call('users.remove', { name: 'grafana' });
    await admin.close();
    const ended = await Promise.race([
      live.closed.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('still open'), 5_000)),
    ]);
    expect(ended).toBe('closed');
    expect(await connackCode({ clientId: 'grafana-3', username: 'grafana', password: user.password })).toBe(
      4,
    );
  });

  it('refuses an operator asking for answers on another client id', async () => {
    const op = await as({ clientId: 'cli-sneaky', ...secrets.operator });
    await expect(op.subscribe([topics.rpcResponse('cli-other')])).rejects.toThrow(/refused/);
    const request = JSON.stringify({
      v: 1,
      id: 'r1',
      replyTo: 'cli-other',
      method: 'nodes.list',
      params: {},
    });
    expect(await publishAccepted(op, topics.rpcRequest(), request)).toBe(false);
  });
});

describe('rate limits', () => {
  it('limits hellos per claim secret, so one leaked image cannot flood the controller', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const limited = await startController({
      inventoryPath: ws.inventoryPath,
      dataDir: ws.dataDir,
      bootstrapDir: ws.bootstrapDir,
      listen: 'mqtt://127.0.0.1:0',
      httpListen: 'http://127.0.0.1:0',
      logger: pino({ level: 'silent' }),
      rateLimits: { hellosPerClaim: { burst: 2, perSecond: 0.001 } },
    });
    try {
      const claimSecret = (await readFile(join(ws.dataDir, 'claim.secret'), 'utf8')).trim();
      const c = await connectMqtt(limited.mqttUrl, {
        clientId: `agent-${A}`,
        username: 'claim',
        password: claimSecret,
      });
      const hello = JSON.stringify(helloFrom({ serial: '10000000000000a1', mac: 'dc:a6:32:00:00:0a' }));
      expect(await publishAccepted(c, topics.node(A, 'claim'), hello)).toBe(true);
      expect(await publishAccepted(c, topics.node(A, 'claim'), hello)).toBe(true);
      expect(await publishAccepted(c, topics.node(A, 'claim'), hello)).toBe(false);
      await c.close(true);
    } finally {
      await limited.stop();
    }
  });
});

describe('listeners', () => {
  it('refuses plain MQTT on a non-loopback address unless explicitly allowed', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const base = {
      inventoryPath: ws.inventoryPath,
      dataDir: ws.dataDir,
      bootstrapDir: ws.bootstrapDir,
      httpListen: 'http://127.0.0.1:0',
      logger: pino({ level: 'silent' }),
    };
    await expect(startController({ ...base, listen: 'mqtt://0.0.0.0:0' })).rejects.toThrow(
      /refusing plain MQTT.*--insecure-listen/,
    );
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(s) });
    const insecure = await startController({
      ...base,
      logger,
      listen: 'mqtt://0.0.0.0:0',
      insecureListen: true,
    });
    await insecure.stop();
    expect(lines.join('')).toMatch(/INSECURE: plain MQTT beyond loopback/);
  });

  it('serves MQTT over TLS with the CA `osbuild ca show` reports', async () => {
    await waitFor('controller.json', async () =>
      readFile(join(controller.dataDir, 'controller.json'), 'utf8'),
    );
    const info = JSON.parse(await readFile(join(controller.dataDir, 'controller.json'), 'utf8')) as {
      caFingerprint: string;
    };
    expect(info.caFingerprint).toBe(controller.caFingerprint);
    expect(controller.mqttUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    // Without the CA, the client refuses the server.
    await expect(
      connectMqtt(controller.mqttUrl, { clientId: 'cli-noca', ...secrets.operator }),
    ).rejects.toThrow(/self-signed|certificate/);
  });
});
