// Helpers for end-to-end tests: a real controller (in-process or as a child process) on
// 127.0.0.1, real agents on copied fixture host roots, and an operator client.
import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AgentHandle, type StartAgentOptions, startAgent } from '@osbuild/agent';
import { type Hello, type NodeCredential, topics, type Welcome } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { afterEach } from 'vitest';
import { createRpcClient, type RpcClient } from '../../src/rpc/client.js';
import {
  type ControllerHandle,
  type ControllerOptions,
  startController,
} from '../../src/server/start-controller.js';
import { type ConnectOptions, connectMqtt, type MqttPort } from '../../src/transport/mqtt.js';

export const CONTROLLER_BIN = fileURLToPath(new URL('../../bin/osbuild.js', import.meta.url));
export const AGENT_BIN = fileURLToPath(new URL('../../../agent/bin/osbuild-agent.js', import.meta.url));

/** Inventory matching the fixture boards: cp-01 by MAC (pi5-a), w-01 by serial (pi5-b), w-02 by MAC (pi5-c). */
export const FIXTURE_INVENTORY = `
cluster:
  name: test-cluster
defaults:
  network:
    prefix: 24
    gateway: 10.0.10.1
    dns: [10.0.10.1]
  stepRetries: 1
nodes:
  - mac: "dc:a6:32:00:00:0a"
    hostname: cp-01
    role: control-plane
    ip: 10.0.10.10
  - serial: "10000000000000a2"
    hostname: w-01
    role: worker
    ip: 10.0.10.11
  - mac: "dc:a6:32:00:00:0c"
    serial: "10000000000000a3"
    hostname: w-02
    role: worker
    ip: 10.0.10.12
`;

/** A bootstrap script that records what it ran as, inside the host root only. */
export const RECORDING_SETUP = `#!/usr/bin/env bash
set -euo pipefail
echo "setting up $OSBUILD_HOSTNAME as $OSBUILD_ROLE"
mkdir -p "$OSBUILD_HOST_ROOT/etc/osbuild"
echo "$OSBUILD_ROLE" > "$OSBUILD_HOST_ROOT/etc/osbuild/bootstrapped"
echo run >> "$OSBUILD_HOST_ROOT/etc/osbuild/setup-runs"
`;

/** A free TCP port on 127.0.0.1 (for a controller that must come back on the same port). */
export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A temp workspace with an inventory file and a bootstrap directory holding `files`. */
export async function makeWorkspace(
  inventory: string,
  files: Record<string, string> = { 'setup.sh': RECORDING_SETUP },
) {
  const dir = await mkdtemp(join(tmpdir(), 'osbuild-e2e-'));
  const bootstrapDir = join(dir, 'bootstrap');
  await mkdir(bootstrapDir);
  for (const [name, content] of Object.entries(files)) {
    const file = join(bootstrapDir, name);
    await mkdir(join(file, '..'), { recursive: true });
    await writeFile(file, content);
    await chmod(file, 0o755);
  }
  const inventoryPath = join(dir, 'nodes.yaml');
  await writeFile(inventoryPath, inventory);
  return { dir, bootstrapDir, inventoryPath, dataDir: join(dir, 'data') };
}

/** Where a test controller is and where its secrets live (CA, operator credential, claim). */
export interface ControllerRef {
  mqttUrl: string;
  dataDir: string;
}

/** Start a controller in-process with fast retries, over TLS unless `plain`. */
export async function startTestController(
  ws: { bootstrapDir: string; inventoryPath: string; dataDir: string },
  extra: {
    port?: number;
    httpPort?: number;
    plain?: boolean;
    logger?: pino.Logger;
    /** Seams and settings passed through to startController (e.g. disruption, netbootReset). */
    options?: Partial<ControllerOptions>;
  } = {},
): Promise<ControllerHandle & ControllerRef> {
  const handle = await startController({
    inventoryPath: ws.inventoryPath,
    dataDir: ws.dataDir,
    bootstrapDir: ws.bootstrapDir,
    listen: `${extra.plain ? 'mqtt' : 'mqtts'}://127.0.0.1:${extra.port ?? 0}`,
    httpListen: `http://127.0.0.1:${extra.httpPort ?? 0}`,
    logger: extra.logger ?? pino({ level: process.env.OSBUILD_TEST_LOG ?? 'silent' }),
    retry: { baseMs: 200, capMs: 1_000 },
    tickMs: 100,
    ...extra.options,
  });
  return Object.assign(handle, { dataDir: ws.dataDir });
}

/** The CA file, claim secret and operator credential `osbuild serve` made in its data dir. */
export async function controllerSecrets(dataDir: string) {
  const operator = JSON.parse(await readFile(join(dataDir, 'operator.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  return {
    caFile: join(dataDir, 'tls', 'ca.pem'),
    ca: await readFile(join(dataDir, 'tls', 'ca.pem'), 'utf8').catch(() => undefined),
    claimFile: join(dataDir, 'claim.secret'),
    claimSecret: (await readFile(join(dataDir, 'claim.secret'), 'utf8')).trim(),
    operator,
  };
}

/** Start an in-process agent on a fresh copy of a fixture board, holding the image's claim secret. */
export async function startFixtureAgent(
  c: ControllerRef,
  fixture: string,
  root?: string,
  extra: Partial<StartAgentOptions> = {},
): Promise<{ agent: AgentHandle; root: string }> {
  const hostRoot = root ?? (await copyHostFixture(fixture));
  const secrets = await controllerSecrets(c.dataDir);
  const agent = await startAgent({
    controllerUrl: c.mqttUrl,
    hostRoot,
    claimSecret: secrets.claimSecret,
    reclaimMs: 1_000,
    ...(c.mqttUrl.startsWith('mqtts:') ? { tls: { caFile: secrets.caFile } } : {}),
    logger: extra.logger ?? pino({ level: process.env.OSBUILD_TEST_LOG ?? 'silent' }),
    reconnect: { baseMs: 50, capMs: 500 },
    ...extra,
  });
  return { agent, root: hostRoot };
}

/** An operator client using the first operator credential the controller made. */
export async function operator(c: ControllerRef, timeoutMs = 5_000): Promise<RpcClient> {
  const secrets = await controllerSecrets(c.dataDir);
  const ca = secrets.ca;
  return createRpcClient({
    url: c.mqttUrl,
    timeoutMs,
    username: secrets.operator.username,
    password: secrets.operator.password,
    ...(ca ? { connect: (url: string, o: ConnectOptions) => connectMqtt(url, { ...o, ca }) } : {}),
  });
}

/** Poll until `check` returns a truthy value, or fail with the last value seen. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false | null>,
  timeoutMs = 20_000,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > until)
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Phases of all nodes by name. */
export async function phases(rpc: RpcClient): Promise<Record<string, string>> {
  const nodes = await rpc.call('nodes.list', {});
  return Object.fromEntries(nodes.map((n) => [n.name, n.phase]));
}

/** A child process with its output collected, for crash tests. */
export function spawnNode(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

/** SIGKILL a child and wait until it is gone. */
export async function kill9(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await gone;
}

/** One call on a short-lived operator connection: survives the controller going away between calls. */
export async function ask<T>(c: ControllerRef, fn: (rpc: RpcClient) => Promise<T>): Promise<T> {
  const rpc = await operator(c, 2_000);
  try {
    return await fn(rpc);
  } finally {
    await rpc.close().catch(() => undefined);
  }
}

/**
 * Enrol a raw MQTT client as `hello`'s node the way an agent does (claim, then its own credential)
 * and return a connection logged in with that credential, for tests that publish by hand.
 */
export async function enrolRawNode(
  c: ControllerRef,
  hello: Hello,
): Promise<{ port: MqttPort; credential: NodeCredential }> {
  const { ca, claimSecret } = await controllerSecrets(c.dataDir);
  const nodeId = hello.identity.nodeId;
  const claimer = await connectMqtt(c.mqttUrl, {
    clientId: `agent-${nodeId}`,
    username: 'claim',
    password: claimSecret,
    ...(ca ? { ca } : {}),
  });
  const welcome = new Promise<Welcome>((resolve) =>
    claimer.onMessage((m) => resolve(JSON.parse(m.payload.toString()) as Welcome)),
  );
  await claimer.subscribe([topics.node(nodeId, 'welcome')]);
  await claimer.publish(topics.node(nodeId, 'claim'), hello, { qos: 1 });
  const w = await welcome;
  await claimer.close();
  if (w.outcome !== 'credential') throw new Error(`${nodeId} not enrolled: ${JSON.stringify(w)}`);
  const port = await connectMqtt(c.mqttUrl, {
    clientId: `agent-${nodeId}`,
    ...w.credential,
    ...(ca ? { ca } : {}),
  });
  return { port, credential: w.credential };
}

/**
 * Things to undo after each test, last first (stop agents before the controller); failures in
 * clean-up never mask the test's own result. Call at the top level of a test file.
 */
export function useCleanups(): Array<() => Promise<unknown>> {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  });
  return cleanups;
}
