import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, type ControllerStatus, PROTOCOL_VERSION, topics, UserError } from '@osbuild/shared';
import type { Logger } from 'pino';
import pkg from '../../package.json' with { type: 'json' };
import { resolveBootstrap } from '../bootstrap/bootstrap-repo.js';
import { startHttpServer } from '../bootstrap/http-server.js';
import { CONTROLLER_CLIENT_ID } from '../broker/access-policy.js';
import { startEmbeddedBroker } from '../broker/embedded-broker.js';
import { type Clock, systemClock } from '../host/clock.js';
import { type Exec, exec as realExec } from '../host/exec.js';
import { InventorySource } from '../inventory/inventory-source.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import { Provisioner } from '../provisioning/provisioner.js';
import type { RetryPolicy } from '../provisioning/step-outcome.js';
import { makeHandlers } from '../rpc/handlers.js';
import { openStore } from '../store/store.js';
import { connectMqtt } from '../transport/mqtt.js';
import { makeMessageRouter, type RejectCounters } from './message-router.js';

/** How to run a controller. */
export interface ControllerOptions {
  inventoryPath: string;
  dataDir: string;
  /** `mqtt://HOST:PORT`; port 0 picks a free one. */
  listen: string;
  /** `http://HOST:PORT` for the bootstrap repository; port 0 picks a free one. */
  httpListen: string;
  /** URL nodes use to reach the HTTP listener, when it differs from `httpListen` (NAT, 0.0.0.0). */
  publicHttpUrl?: string;
  bootstrapDir: string;
  logger: Logger;
  clock?: Clock;
  exec?: Exec;
  retry?: RetryPolicy;
  deadlineGraceMs?: number;
  tickMs?: number;
}

/** A running controller. */
export interface ControllerHandle {
  mqttUrl: string;
  httpUrl: string;
  stop(): Promise<void>;
}

function parseListen(url: string, scheme: 'mqtt:' | 'http:'): { host: string; port: number } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError('bad-request', `invalid listen address ${url}: expected ${scheme}//HOST:PORT`);
  }
  if (u.protocol !== scheme)
    throw new UserError('bad-request', `listen address ${url} must start with ${scheme}//`);
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port === '' ? (scheme === 'mqtt:' ? 1883 : 80) : Number(u.port),
  };
}

/** Start broker, store, HTTP server and provisioning; resolves once the controller is serving. */
export async function startController(opts: ControllerOptions): Promise<ControllerHandle> {
  const logger = opts.logger;
  const clock = opts.clock ?? systemClock;
  const exec = opts.exec ?? realExec;
  const startedAt = clock.now().toISOString();
  const mqttAddr = parseListen(opts.listen, 'mqtt:');
  const httpAddr = parseListen(opts.httpListen, 'http:');
  if (!['127.0.0.1', 'localhost', '::1'].includes(mqttAddr.host)) {
    // Until the security issue lands TLS and credentials, anything beyond loopback is plain text.
    logger.warn({ listen: opts.listen }, 'MQTT is listening beyond loopback without TLS or credentials');
  }

  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const inventory = await InventorySource.open(opts.inventoryPath, logger, () => clock.now());
  const store = openStore(join(opts.dataDir, 'osbuild.db'));
  const cleanup: Array<() => Promise<void> | void> = [() => store.close(), () => inventory.close()];
  const stopAll = async () => {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };

  try {
    const controllerSecret = randomBytes(24).toString('hex');
    const broker = await startEmbeddedBroker({ ...mqttAddr, controllerSecret, logger });
    cleanup.push(() => broker.close());
    const bareDir = join(opts.dataDir, 'bootstrap.git');
    const http = await startHttpServer({ ...httpAddr, bareDir });
    cleanup.push(() => http.close());
    const publicHttpUrl = opts.publicHttpUrl ?? http.url;

    let bootstrap: BootstrapSource | null = null;
    const refreshBootstrap = async () => {
      const b = inventory.current().bootstrap;
      try {
        bootstrap = await resolveBootstrap({
          exec,
          repo: b.repo,
          ref: b.ref,
          bootstrapDir: opts.bootstrapDir,
          bareDir,
          publicHttpUrl,
        });
        logger.info({ repo: bootstrap.repo, commit: bootstrap.commit }, 'bootstrap repository pinned');
      } catch (err) {
        logger.error(
          { err: (err as Error).message },
          'bootstrap repository unavailable; matched nodes will wait',
        );
      }
    };
    await refreshBootstrap();

    const connectHost = ['0.0.0.0', '::'].includes(mqttAddr.host) ? '127.0.0.1' : mqttAddr.host;
    const mqttUrl = `mqtt://${connectHost.includes(':') ? `[${connectHost}]` : connectHost}:${broker.port}`;
    const offline: ControllerStatus = { v: PROTOCOL_VERSION, online: false, at: startedAt };
    const client = await connectMqtt(mqttUrl, {
      clientId: CONTROLLER_CLIENT_ID,
      username: CONTROLLER_CLIENT_ID,
      password: controllerSecret,
      will: { topic: topics.controllerStatus(), payload: offline },
      reconnect: true,
    });
    cleanup.push(() => client.close(true));

    const provisioner = new Provisioner({
      store,
      clock,
      logger,
      inventory: () => inventory.current(),
      bootstrap: () => bootstrap,
      retry: opts.retry ?? { baseMs: 5_000, capMs: 60_000 },
      deadlineGraceMs: opts.deadlineGraceMs ?? 30_000,
      newRunId: () => `run-${randomUUID().slice(0, 13)}`,
      sendCommand: (nodeId: string, cmd: Command) => {
        client.publish(topics.node(nodeId, 'cmd'), cmd, { qos: 1 }).catch((err: Error) => {
          logger.error({ nodeId, cmdId: cmd.id, err: err.message }, 'could not send command');
        });
      },
    });
    // The downtime was ours, not the nodes': give in-flight steps a fresh grace period.
    store.runs.extendDeadlines(
      new Date(clock.now().getTime() + (opts.deadlineGraceMs ?? 30_000)).toISOString(),
    );

    const rejected: RejectCounters = new Map();
    const handlers = makeHandlers({
      store,
      provisioner,
      version: pkg.version,
      startedAt,
      inventoryStatus: () => inventory.status(),
      rejectedMessages: () => Object.fromEntries(rejected),
    });
    const route = makeMessageRouter({
      store,
      provisioner,
      handlers,
      clock,
      logger,
      rejected,
      respond: (topic, body) => {
        client
          .publish(topic, body, { qos: 1 })
          .catch((err: Error) => logger.warn({ topic, err: err.message }, 'rpc reply failed'));
      },
    });
    client.onMessage(route);
    await client.subscribe([
      topics.allNodes('hello'),
      topics.allNodes('status'),
      topics.allNodes('cmd-result'),
      topics.allNodes('events'),
      topics.rpcRequest(),
    ]);
    const online: ControllerStatus = {
      v: PROTOCOL_VERSION,
      online: true,
      at: startedAt,
      version: pkg.version,
      startedAt,
    };
    await client.publish(topics.controllerStatus(), online, { qos: 1, retain: true });

    const ticker = setInterval(() => {
      try {
        provisioner.tick();
      } catch (err) {
        logger.error({ err }, 'provisioning tick failed');
      }
    }, opts.tickMs ?? 1_000);
    cleanup.push(() => clearInterval(ticker));

    inventory.watch(() => {
      void refreshBootstrap().then(() => provisioner.rematchUnsettled());
    });
    // Nodes that were waiting for the bootstrap repository or an inventory entry before a restart.
    provisioner.rematchUnsettled();

    const infoFile = join(opts.dataDir, 'controller.json');
    await writeFile(
      infoFile,
      `${JSON.stringify({ mqttUrl, httpUrl: http.url, pid: process.pid, startedAt }, null, 2)}\n`,
      {
        mode: 0o600,
      },
    );
    await chmod(infoFile, 0o600);
    cleanup.push(() => rm(infoFile, { force: true }));

    logger.info(
      {
        mqttUrl,
        httpUrl: http.url,
        inventory: inventory.path,
        nodes: inventory.current().nodes.length,
        dataDir: opts.dataDir,
      },
      'controller listening',
    );
    return {
      mqttUrl,
      httpUrl: http.url,
      async stop() {
        await client
          .publish(
            topics.controllerStatus(),
            { ...offline, at: clock.now().toISOString() },
            { qos: 1, retain: true },
          )
          .catch(() => undefined);
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
