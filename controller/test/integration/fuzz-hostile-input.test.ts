// Hostile input, generated: every node topic and every RPC method is driven with messages derived
// from its zod schema and pushed past each bound (test/support/schema-mutations.ts, fast-check),
// from a real enrolled node credential, a claim-only board and an operator, against a real
// controller with a real provisioned agent beside them. After each batch the controller must still
// answer; at the end the store and the log have grown within budget, nothing answered `internal`,
// and the real node's traffic and commands went on as if nothing had happened.
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CommandResult,
  commandAckSchema,
  commandProgressSchema,
  commandResultSchema,
  type Hello,
  helloSchema,
  nodeEventSchema,
  nodeStatusSchema,
  PROTOCOL_VERSION,
  type RpcMethod,
  type RpcParams,
  rpcMethods,
  rpcRequestSchema,
  type Telemetry,
  telemetrySchema,
  topics,
} from '@osbuild/shared';
import { hostilePayloads } from '@osbuild/test-support/schema-mutations';
import fc from 'fast-check';
import mqtt, { type MqttClient } from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { PROBE } from '../support/commands.js';
import {
  controllerSecrets,
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  RECORDING_SETUP,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { helloFrom } from '../support/provisioner-harness.js';

const cleanups = useCleanups();

/** Runs per message kind and messages per run; FUZZ_RUNS scales the whole test up for a soak. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 6);
const BATCH = { minLength: 4, maxLength: 12 };
/**
 * What the whole run may add to the controller's data dir and its log. The run publishes ~1,500
 * hostile messages, a third of them hundreds of KiB: stored verbatim they would be hundreds of MB
 * (before the per-node bounds it was 3.6 MB from this small run). The hostile node's store quota is
 * 1.25 MiB (docs/security.md, size budget); the rest is the WAL and the rows of refused claims.
 */
const STORE_BUDGET_BYTES = 4 * 1024 * 1024;
const LOG_BUDGET_BYTES = 1024 * 1024;

const HOSTILE_ID = 'pi-10000000000000a2'; // w-01 in FIXTURE_INVENTORY, enrolled by hand below
const CLAIMER_ID = 'pi-10000000000000fe'; // not in the inventory: a board holding only the image

const now = () => new Date().toISOString();

const hello: Hello = helloFrom({ serial: '10000000000000a2', mac: 'dc:a6:32:00:00:0b' });
const telemetry: Telemetry = {
  v: PROTOCOL_VERSION,
  seq: 1,
  at: now(),
  bootId: 'boot-1',
  bootSource: 'nvme',
  uptimeSec: 10,
  load: [0.1, 0.2, 0.3],
  cpuPercent: 12.5,
  memory: { totalBytes: 8_000_000_000, availableBytes: 4_000_000_000 },
  socTempC: 47.5,
  throttled: null,
  disks: [{ mount: '/', totalBytes: 100, usedBytes: 50 }],
  net: [{ iface: 'eth0', rxBytes: 1, txBytes: 2 }],
  services: { containerd: 'active', kubelet: 'active' },
  imageVersion: '2026.11.0',
  agentVersion: '0.1.0',
  nvme: { device: 'nvme0', model: 'x', temperatureC: 40, percentUsed: 1, criticalWarning: 0 },
};
const result: CommandResult = {
  v: PROTOCOL_VERSION,
  id: 'cmd-00000000unknown',
  outcome: 'failed',
  exitCode: 1,
  error: 'boom',
  outputTail: 'line\n',
  startedAt: now(),
  finishedAt: now(),
  changed: false,
};

/** Node topics: the schema the controller parses each with, and a valid message to mutate. */
const NODE_KINDS: Array<{
  kind: 'hello' | 'status' | 'events' | 'cmd-result' | 'telemetry';
  schema: z.ZodType;
  seed: unknown;
}> = [
  { kind: 'hello', schema: helloSchema, seed: hello },
  {
    kind: 'status',
    schema: nodeStatusSchema,
    seed: { v: 1, online: true, at: now(), bootId: 'boot-1', activity: 'idle' },
  },
  {
    kind: 'events',
    schema: nodeEventSchema,
    seed: { v: 1, seq: 1, at: now(), type: 'log', level: 'info', msg: 'hi' },
  },
  {
    kind: 'events',
    schema: nodeEventSchema,
    seed: {
      v: 1,
      seq: 2,
      at: now(),
      type: 'command-output',
      cmdId: 'cmd-00000001',
      stream: 'stdout',
      text: 'out',
    },
  },
  {
    kind: 'events',
    schema: nodeEventSchema,
    seed: { v: 1, seq: 3, at: now(), type: 'command-started', cmdId: 'cmd-00000001' },
  },
  { kind: 'cmd-result', schema: commandResultSchema, seed: result },
  {
    kind: 'cmd-result',
    schema: commandAckSchema,
    seed: { v: 1, type: 'ack', id: 'cmd-00000002', at: now(), duplicate: false, bootId: 'boot-1' },
  },
  {
    kind: 'cmd-result',
    schema: commandProgressSchema,
    seed: { v: 1, type: 'progress', id: 'cmd-00000003', at: now(), state: 'running', message: 'm' },
  },
  { kind: 'telemetry', schema: telemetrySchema, seed: telemetry },
];

/**
 * A valid params object for every RPC method (the type makes a new method a compile error here).
 * Methods that change things name nodes, users and claims that do not exist, so a mutation that
 * stays valid cannot disturb the real node.
 */
const RPC_SEEDS: { [M in RpcMethod]: RpcParams<M> } = {
  'nodes.list': {},
  'nodes.show': { name: 'w-01' },
  'nodes.why': { name: 'w-01' },
  'cluster.status': {},
  'nodes.approve': { nodeId: 'pi-10000000000000fd', hostname: 'fuzz-01', role: 'worker' },
  'nodes.retry': { name: 'nobody', fromStart: true },
  'nodes.rotate-credential': { name: 'nobody' },
  'nodes.reprovision': { name: 'nobody', windowSec: 60 },
  'users.add': { name: 'fuzzer', role: 'monitor' },
  'users.list': {},
  'users.remove': { name: 'nobody' },
  'claims.add': {},
  'claims.list': {},
  'claims.revoke': { id: 'nope' },
  'commands.targets': { names: ['w-01'], selector: 'role=worker' },
  'commands.create': { action: 'run', name: 'nobody', script: 'probe.sh', args: ['a'], idempotencyKey: 'k' },
  'commands.show': { id: 'cmd-nope' },
  'commands.list': { name: 'w-01', limit: 10 },
  'events.list': { name: 'w-01', afterId: 0, limit: 10 },
  'logs.get': { name: 'w-01', limit: 10 },
  'controller.stats': {},
};

/** A raw mqtt.js client that waits for its connection before each publish and never queues. */
async function rawClient(url: string, opts: mqtt.IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect(url, {
    ...opts,
    reconnectPeriod: 100,
    connectTimeout: 5_000,
    queueQoSZero: false,
    rejectUnauthorized: true,
  });
  client.on('error', () => undefined); // refusals are expected; the test asserts on the controller
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  return client;
}

/** Wait for a dropped client to be back; a refusal to let it back in is a finding, not a hang. */
async function reconnected(client: MqttClient): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${client.options.clientId} was not let back in within 10 s`)),
      10_000,
    );
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

const trace = (...args: unknown[]) => {
  if (process.env.FUZZ_DEBUG) console.log(new Date().toISOString(), ...args);
};

async function publishAll(client: MqttClient, topic: string, payloads: Buffer[]): Promise<void> {
  for (const p of payloads) {
    if (!client.connected) await reconnected(client);
    // QoS 0: a payload the broker refuses drops the connection; QoS 1 would re-send it forever.
    // A write cut off by the broker closing the socket may never call back: do not wait on it.
    await Promise.race([
      client.publishAsync(topic, p, { qos: 0 }).catch(() => undefined),
      new Promise((r) => setTimeout(r, 1_000)),
    ]);
  }
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += (await stat(join(e.parentPath, e.name))).size;
  }
  return total;
}

describe('hostile input generated from the schemas (fast-check)', () => {
  it('keeps the controller up, its store and log within budget, and the real node unaffected', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY, { 'setup.sh': RECORDING_SETUP, 'probe.sh': PROBE });
    let logBytes = 0;
    const logger = pino(
      { level: 'info' },
      {
        write: (s: string) => {
          logBytes += Buffer.byteLength(s);
        },
      },
    );
    const c = await startTestController(ws, { logger });
    cleanups.push(() => c.stop());
    const rpc = await operator(c, 10_000);
    cleanups.push(() => rpc.close());
    const secrets = await controllerSecrets(c.dataDir);
    const tls = { ca: secrets.ca };

    // The real node: provisioned by a real agent, sending telemetry every second throughout.
    const victim = await startFixtureAgent(c, 'pi5-c', undefined, { telemetryIntervalSec: 1 });
    cleanups.push(() => victim.agent.stop());
    await waitFor(
      'w-02 provisioned',
      async () => (await rpc.call('nodes.show', { name: 'w-02' })).phase === 'provisioned',
      30_000,
    );

    // The hostile node holds a real credential of its own (w-01); the claimer only the image's secret.
    const { port, credential } = await enrolRawNode(c, hello);
    await port.close();
    const node = await rawClient(c.mqttUrl, { clientId: `agent-${HOSTILE_ID}`, ...credential, ...tls });
    cleanups.push(() => node.endAsync(true));
    const claimer = await rawClient(c.mqttUrl, {
      clientId: `agent-${CLAIMER_ID}`,
      username: 'claim',
      password: secrets.claimSecret,
      ...tls,
    });
    cleanups.push(() => claimer.endAsync(true));
    const cliId = 'cli-fuzzer';
    const op = await rawClient(c.mqttUrl, { clientId: cliId, ...secrets.operator, ...tls });
    cleanups.push(() => op.endAsync(true));
    const answers: Array<{ ok: boolean; error?: { code: string; message: string } }> = [];
    op.on('message', (_t, m) => {
      try {
        answers.push(JSON.parse(m.toString()));
      } catch {
        answers.push({ ok: false, error: { code: 'unparseable-response', message: m.toString() } });
      }
    });
    await op.subscribeAsync(topics.rpcResponse(cliId), { qos: 1 });

    const storeBefore = await dirBytes(c.dataDir);
    const logBefore = logBytes;
    const telemetryBefore = (await rpc.call('nodes.show', { name: 'w-02' })).telemetry?.seq ?? 0;

    // After each batch the controller must answer an operator within the RPC timeout.
    const stillAnswers = async () => {
      const stats = await rpc.call('controller.stats', {});
      expect(stats.nodes).toBeGreaterThanOrEqual(2);
    };
    const property = (schema: z.ZodType, seed: unknown, send: (p: Buffer[]) => Promise<void>) =>
      fc.assert(
        fc.asyncProperty(fc.array(hostilePayloads(schema, seed), BATCH), async (batch) => {
          trace(
            ' batch',
            batch
              .map((b) => b.describe)
              .join(' | ')
              .slice(0, 300),
          );
          await send(batch.map((b) => b.payload));
          await stillAnswers();
        }),
        { numRuns: RUNS, endOnFailure: true },
      );

    let sent = 0;
    for (const k of NODE_KINDS) {
      trace('node kind', k.kind, sent);
      await property(k.schema, k.seed, (p) => {
        sent += p.length;
        return publishAll(node, topics.node(HOSTILE_ID, k.kind), p);
      });
    }
    const claim = {
      ...hello,
      identity: { ...hello.identity, nodeId: CLAIMER_ID, serial: '10000000000000fe' },
    };
    await property(helloSchema, claim, (p) => {
      sent += p.length;
      return publishAll(claimer, topics.node(CLAIMER_ID, 'claim'), p);
    });

    // RPC: the envelope itself, then each method's params inside a valid envelope.
    const request = (method: RpcMethod, params: unknown) => ({
      v: PROTOCOL_VERSION,
      id: `fz-${sent}`,
      replyTo: cliId,
      method,
      params,
    });
    await property(rpcRequestSchema, request('nodes.list', {}), (p) => {
      sent += p.length;
      // Only envelopes that still reply to us get past the broker's replyTo check; the rest drop.
      return publishAll(op, topics.rpcRequest(), p);
    });
    for (const method of Object.keys(rpcMethods) as RpcMethod[]) {
      trace('rpc', method, sent);
      await property(rpcMethods[method].params, RPC_SEEDS[method], (p) => {
        sent += p.length;
        const envelopes = p.map((params) => {
          let value: unknown;
          try {
            value = JSON.parse(params.toString());
          } catch {
            value = params.toString('latin1');
          }
          return Buffer.from(JSON.stringify(request(method, value)));
        });
        return publishAll(op, topics.rpcRequest(), envelopes);
      });
    }

    // Let the last messages drain, then judge.
    await new Promise((r) => setTimeout(r, 1_000));
    const stats = await rpc.call('controller.stats', {});
    const rejected = Object.values(stats.rejectedMessages).reduce((a, b) => a + b, 0);
    expect(sent).toBeGreaterThan(500);
    // Non-vacuous: the hostile messages reached the controller and were judged there.
    expect(rejected).toBeGreaterThan(100);
    for (const kind of ['hello', 'status', 'events', 'cmd-result', 'telemetry', 'claim', 'rpc-request']) {
      expect(stats.rejectedMessages[kind], `rejections counted for ${kind}`).toBeGreaterThan(0);
    }
    // Every RPC that got an answer got a considered one: bad input is bad-request or not-found,
    // never a handler crash.
    expect(answers.length).toBeGreaterThan(50);
    const crashes = answers.filter(
      (a) => !a.ok && (a.error?.code === 'internal' || a.error?.code === 'unparseable-response'),
    );
    expect(crashes, JSON.stringify(crashes.slice(0, 3))).toEqual([]);

    const storeGrowth = (await dirBytes(c.dataDir)) - storeBefore;
    const logGrowth = logBytes - logBefore;
    console.log(
      `fuzz: ${sent} hostile messages, ${rejected} rejected, ${answers.length} rpc answers, store +${storeGrowth} B, log +${logGrowth} B`,
    );
    expect(storeGrowth).toBeLessThan(STORE_BUDGET_BYTES);
    expect(logGrowth).toBeLessThan(LOG_BUDGET_BYTES);

    // The real node never noticed: online, telemetry kept arriving, and a command runs through.
    const w02 = await rpc.call('nodes.show', { name: 'w-02' });
    expect(w02).toMatchObject({ online: true, phase: 'provisioned' });
    expect(w02.telemetry?.seq ?? 0).toBeGreaterThan(telemetryBefore);
    const { command } = await rpc.call('commands.create', {
      action: 'run',
      name: 'w-02',
      script: 'probe.sh',
    });
    await waitFor(
      'the run on w-02 succeeded',
      async () => (await rpc.call('commands.show', { id: command.id })).state === 'succeeded',
      30_000,
    );
  }, 600_000);
});
