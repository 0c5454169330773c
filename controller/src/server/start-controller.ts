import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, type ControllerStatus, PROTOCOL_VERSION, topics, type Welcome } from '@osbuild/shared';
import type { Logger } from 'pino';
import pkg from '../../package.json' with { type: 'json' };
import { auditLogPath, openAuditLog } from '../audit/audit-log.js';
import { makeAuthenticator } from '../auth/authenticator.js';
import { CredentialMint } from '../auth/credential-mint.js';
import { ensureBootstrapSecrets } from '../auth/first-start-secrets.js';
import { isLoopback, RateLimiter } from '../auth/rate-limiter.js';
import { VerifiedSecrets } from '../auth/secrets.js';
import { resolveBootstrap } from '../bootstrap-repo/bootstrap-repo.js';
import { startHttpServer } from '../bootstrap-repo/http-server.js';
import { CONTROLLER_CLIENT_ID, principalName } from '../broker/access-policy.js';
import { startEmbeddedBroker } from '../broker/embedded-broker.js';
import { ConditionEvents } from '../health/condition-events.js';
import { DEFAULT_HEALTH, evaluateConditions, type HealthThresholds } from '../health/conditions.js';
import { type Clock, systemClock } from '../host/clock.js';
import { type Exec, exec as realExec } from '../host/exec.js';
import { writeFileAtomic } from '../host/private-files.js';
import { InventorySource } from '../inventory/inventory-source.js';
import { ClusterManager } from '../kubernetes/cluster-manager.js';
import { kubeDisruptionAdapter } from '../kubernetes/disruption-adapter.js';
import type { KubeApi } from '../kubernetes/kube-api.js';
import { NodePhases } from '../lifecycle/node-phase.js';
import { ControllerMetrics } from '../metrics/controller-metrics.js';
import { nodeMetricsViews, telemetryGauges } from '../metrics/store-sources.js';
import { netbootAdapter } from '../netboot/netboot-adapter.js';
import { CommandService } from '../operator-commands/command-service.js';
import type { Disruption, NetbootReset, PowerHooks } from '../operator-commands/ports.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import { Provisioner } from '../provisioning/provisioner.js';
import type { RetryPolicy } from '../provisioning/step-outcome.js';
import { inventoryLabels, makeCommandHandlers } from '../rpc/command-handlers.js';
import { makeHandlers } from '../rpc/handlers.js';
import type { NodeBrief } from '../store/node-store.js';
import { openStore } from '../store/store.js';
import { LatestTelemetry } from '../telemetry/latest-telemetry.js';
import { connectMqtt } from '../transport/mqtt.js';
import { checkListenPolicy, parseListen, startMqttListener } from './listeners.js';
import { makeMessageRouter, type RejectCounters } from './message-router.js';

/** How to run a controller. */
export interface ControllerOptions {
  inventoryPath: string;
  dataDir: string;
  /**
   * `mqtts://HOST:PORT` (TLS with the controller's own CA) or `mqtt://HOST:PORT` (plain: loopback
   * only, unless `insecureListen`); port 0 picks a free one.
   */
  listen: string;
  /** Allow plain MQTT on a non-loopback address (logged as a warning). */
  insecureListen?: boolean;
  /** Extra names and IPs for the server certificate (those nodes use to reach the controller). */
  tlsSans?: string[];
  /** `http://HOST:PORT` for the bootstrap repository; port 0 picks a free one. */
  httpListen: string;
  /** URL nodes use to reach the HTTP listener, when it differs from `httpListen` (NAT, 0.0.0.0). */
  publicHttpUrl?: string;
  bootstrapDir: string;
  logger: Logger;
  clock?: Clock;
  exec?: Exec;
  retry?: RetryPolicy;
  /** Health rule thresholds (health/conditions.ts); any not given keep their defaults. */
  health?: Partial<HealthThresholds>;
  /** Rate limits (burst, then per second); the defaults suit racks of hundreds of nodes. */
  rateLimits?: Partial<Record<'connectionsPerAddress' | 'hellosPerAddress' | 'hellosPerClaim', RateLimit>>;
  deadlineGraceMs?: number;
  tickMs?: number;
  /** Cordon and drain before a reboot or reprovision of a joined node (default: nothing to drain). */
  disruption?: Disruption;
  /** How long a drain before reboot/reprovision may wait for PodDisruptionBudgets (default 5 min). */
  drainDeadlineMs?: number;
  /** Reset a netboot node's root for a reprovision (default: absent, such reprovisions are refused). */
  netbootReset?: NetbootReset;
  /**
   * netboot.yaml of a netboot server on this host: reprovisioning a netboot node resets its root
   * (controller/src/netboot/) and offline nodes are power-cycled through its `powerHooks`;
   * `netbootReset` and `powerHooks` given here win over it.
   */
  netbootConfigPath?: string;
  /**
   * Power-cycle an offline node for a reboot or netboot reprovision (default: netboot.yaml's
   * `powerHooks` when `netbootConfigPath` is given, else none).
   */
  powerHooks?: PowerHooks;
  /** Seconds a command for an offline node waits before it expires (default 3600). */
  commandTtlSec?: number;
  /** Kubeconfig text of an existing cluster to adopt at start (`serve --kubeconfig FILE`). */
  adoptKubeconfig?: string;
  /** Builds the Kubernetes API client from a kubeconfig (tests: the same adapter, other options). */
  kubeConnect?: (kubeconfig: string) => KubeApi | Promise<KubeApi>;
  /** Retry delay of the Kubernetes module (token preparation, watch restarts). */
  kubeRetryMs?: number;
}

/** A token bucket: `burst` at once, then `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

const DEFAULT_LIMITS = {
  connectionsPerAddress: { burst: 30, perSecond: 10 },
  hellosPerAddress: { burst: 20, perSecond: 2 },
  // A whole rack booting together shares one claim secret.
  hellosPerClaim: { burst: 500, perSecond: 50 },
};

/** A running controller. */
export interface ControllerHandle {
  mqttUrl: string;
  httpUrl: string;
  /** PEM of the CA that signs the MQTT server certificate (TLS listeners only). */
  caCertPem?: string;
  caFingerprint?: string;
  /** The Kubernetes module (drain, removal, status). */
  cluster?: ClusterManager;
  stop(): Promise<void>;
}

/** Start broker, store, HTTP server and provisioning; resolves once the controller is serving. */
export async function startController(opts: ControllerOptions): Promise<ControllerHandle> {
  const logger = opts.logger;
  const clock = opts.clock ?? systemClock;
  const exec = opts.exec ?? realExec;
  const startedAt = clock.now().toISOString();
  checkListenPolicy(opts.listen, opts.insecureListen ?? false);
  const httpAddr = parseListen(opts.httpListen, ['http:']);

  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const inventory = await InventorySource.open(opts.inventoryPath, logger, () => clock.now());
  const store = openStore(join(opts.dataDir, 'osbuild.db'));
  const cleanup: Array<() => Promise<void> | void> = [() => store.close(), () => inventory.close()];
  const stopAll = async () => {
    for (const fn of cleanup.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };

  try {
    const auditLog = await openAuditLog(auditLogPath(opts.dataDir), clock);
    cleanup.push(() => auditLog.close());
    const audit = (e: Parameters<typeof auditLog.append>[0]) => {
      auditLog
        .append(e)
        .catch((err: Error) => logger.error({ err: err.message, action: e.action }, 'audit append failed'));
    };
    const secrets = await ensureBootstrapSecrets(store, opts.dataDir, startedAt);
    for (const what of secrets.created)
      audit({ actor: 'controller', action: 'secret.created', target: what, result: 'ok' });

    const controllerSecret = randomBytes(24).toString('hex');
    // Per source address: a rack booting together gets through, a password-guessing loop does not.
    const limits = { ...DEFAULT_LIMITS, ...opts.rateLimits };
    const limiter = (l: RateLimit) => new RateLimiter({ ...l, now: () => clock.now().getTime() });
    const connections = limiter(limits.connectionsPerAddress);
    const hellosByAddress = limiter(limits.hellosPerAddress);
    const hellosByClaim = limiter(limits.hellosPerClaim);
    const claims = limiter({ burst: 3, perSecond: 0.5 });
    // One cache for the authenticator and credential issuance (auth/secrets.ts).
    const verifiedSecrets = new VerifiedSecrets();
    const broker = await startEmbeddedBroker({
      authenticate: makeAuthenticator(store, controllerSecret, () => clock.now(), verifiedSecrets),
      logger,
      events: {
        admit: (address) => isLoopback(address) || connections.take(address ?? 'unknown'),
        admitHello: (address, principal) =>
          (principal.kind !== 'claim' || hellosByClaim.take(principal.claimId)) &&
          (isLoopback(address) || hellosByAddress.take(address ?? 'unknown')),
        onRefusedLogin: (e) =>
          audit({
            actor: e.username ?? 'anonymous',
            action: 'login.refused',
            target: e.clientId,
            result: 'refused',
            detail: { address: e.address, why: e.why },
          }),
      },
    });
    const listener = await startMqttListener({
      listen: opts.listen,
      insecureListen: opts.insecureListen ?? false,
      tlsSans: opts.tlsSans ?? [],
      dataDir: opts.dataDir,
      handle: broker.handle,
      clock,
      logger,
    }).catch(async (err: unknown) => {
      await broker.close();
      throw err;
    });
    // The broker first (it ends client connections), then the listener can close.
    cleanup.push(async () => {
      await broker.close();
      await listener.close();
    });

    const rejected: RejectCounters = new Map();
    // The latest sample of every node, parsed once at ingestion: the scrape and the condition
    // checks walk a map instead of reading and re-parsing one SQLite row per node.
    const latestTelemetry = LatestTelemetry.seededFrom(store.telemetry);
    // Node state is read at scrape time, so the numbers never drift from the store and the broker.
    const metrics = new ControllerMetrics({
      nodes: () => {
        const rows = store.nodes.listBrief();
        // The one place that sees every node regularly: samples of removed nodes go here.
        latestTelemetry.retainOnly(rows.map((n) => n.node_id));
        return nodeMetricsViews(rows);
      },
      connectedClients: () => broker.connectedClients(),
      rejected: () => Object.fromEntries(rejected),
      loginFailures: () => broker.authFailures(),
      telemetry: (nodeId) => {
        const t = latestTelemetry.get(nodeId);
        return t ? telemetryGauges(t.sample) : null;
      },
    });
    const bareDir = join(opts.dataDir, 'bootstrap.git');
    const http = await startHttpServer({
      host: httpAddr.host,
      port: httpAddr.port,
      bareDir,
      metrics: () => metrics.exposition(),
    });
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
          exclude: [inventory.path],
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

    const offline: ControllerStatus = { v: PROTOCOL_VERSION, online: false, at: startedAt };
    const client = await connectMqtt(listener.url, {
      clientId: CONTROLLER_CLIENT_ID,
      username: CONTROLLER_CLIENT_ID,
      password: controllerSecret,
      will: { topic: topics.controllerStatus(), payload: offline },
      reconnect: true,
      ...(listener.ca ? { ca: listener.ca } : {}),
    });
    cleanup.push(() => client.close(true));
    const publish = (topic: string, body: unknown, what: string) => {
      client
        .publish(topic, body, { qos: 1 })
        .catch((err: Error) => logger.error({ topic, err: err.message }, `could not send ${what}`));
    };

    let provisionerRef: Provisioner | null = null;
    const cluster = new ClusterManager({
      store,
      clock,
      logger: logger.child({ module: 'kubernetes' }),
      dataDir: opts.dataDir,
      inventory: () => inventory.current(),
      sendCommand: (nodeId: string, cmd: Command) => publish(topics.node(nodeId, 'cmd'), cmd, 'command'),
      audit: (e) => audit({ actor: 'controller', ...e }),
      kick: (nodeId) => provisionerRef?.kick(nodeId),
      setPhase: (nodeId, phase, reason) => store.tx(() => provisionerRef?.setPhase(nodeId, phase, reason)),
      newId: () => randomUUID(),
      ...(opts.kubeConnect ? { connect: opts.kubeConnect } : {}),
      ...(opts.kubeRetryMs !== undefined ? { retryMs: opts.kubeRetryMs } : {}),
    });
    cleanup.push(() => cluster.stop());
    const credentialMint = new CredentialMint();
    const provisioner = new Provisioner({
      store,
      verifiedSecrets,
      credentialMint,
      clock,
      logger,
      inventory: () => inventory.current(),
      bootstrap: () => bootstrap,
      retry: opts.retry ?? { baseMs: 5_000, capMs: 60_000 },
      deadlineGraceMs: opts.deadlineGraceMs ?? 30_000,
      newRunId: () => `run-${randomUUID().slice(0, 13)}`,
      onStepFinished: (kind, outcome, seconds) => metrics.observeStep(kind, outcome, seconds),
      sendCommand: (nodeId: string, cmd: Command) => publish(topics.node(nodeId, 'cmd'), cmd, 'command'),
      sendWelcome: (nodeId: string, welcome: Welcome) =>
        publish(topics.node(nodeId, 'welcome'), welcome, 'welcome'),
      audit: (e) => audit({ actor: 'controller', ...e }),
      kube: cluster,
    });
    const netbootAdapterOrNone = opts.netbootConfigPath
      ? await netbootAdapter({
          configFile: opts.netbootConfigPath,
          inventoryFile: opts.inventoryPath,
          exec,
          now: () => clock.now(),
          onBackgroundError: (err) =>
            logger.warn({ err }, 'netboot: removing an old root or copying a spare failed'),
        })
      : undefined;
    const netbootReset = opts.netbootReset ?? netbootAdapterOrNone;
    const powerHooks = opts.powerHooks ?? netbootAdapterOrNone;
    const phases = new NodePhases({ records: store, clock, logger });
    const commands = new CommandService({
      store,
      clock,
      logger,
      phases,
      provisioning: provisioner,
      send: (nodeId: string, cmd: Command) => publish(topics.node(nodeId, 'cmd'), cmd, 'command'),
      bootstrap: () => bootstrap,
      inventory: () => inventory.current(),
      newId: () => randomUUID(),
      audit,
      onOutcome: (_action, state) => metrics.observeCommand(state),
      disruption: opts.disruption ?? kubeDisruptionAdapter(cluster, opts.drainDeadlineMs),
      ...(netbootReset ? { netbootReset } : {}),
      ...(powerHooks ? { powerHooks } : {}),
      ...(opts.commandTtlSec ? { defaultTtlSec: opts.commandTtlSec } : {}),
    });
    provisionerRef = provisioner;
    // The downtime was ours, not the nodes': give in-flight steps a fresh grace period.
    const graceUntil = new Date(clock.now().getTime() + (opts.deadlineGraceMs ?? 30_000)).toISOString();
    store.runs.extendDeadlines(graceUntil);
    store.commands.extendDeadlines(graceUntil);

    const conditionsOf = (n: NodeBrief) =>
      evaluateConditions(
        { phase: n.phase, online: n.online === 1 },
        latestTelemetry.get(n.node_id),
        clock.now(),
        { ...DEFAULT_HEALTH, ...opts.health },
      );
    const conditionEvents = new ConditionEvents(store, conditionsOf, clock);
    const handlers = makeHandlers({
      store,
      provisioner,
      clock,
      kick: (clientId) => broker.kick(clientId),
      kickWhere: (match) => broker.kickWhere(match),
      conditionsOf,
      version: pkg.version,
      startedAt,
      inventoryStatus: () => inventory.status(),
      rejectedMessages: () => Object.fromEntries(rejected),
      failedLogins: () => broker.authFailures(),
      commandHandlers: makeCommandHandlers({
        store,
        commands,
        labels: () => inventoryLabels(inventory.current()),
      }),
      kubeNotReady: (hostname) => cluster.explain(hostname),
      clusterStatus: () => cluster.status(),
    });
    const route = makeMessageRouter({
      store,
      provisioner,
      handlers,
      clock,
      logger,
      rejected,
      respond: (topic, body) => publish(topic, body, 'rpc reply'),
      admitClaim: (nodeId) => claims.take(nodeId),
      claimWhenReady: (handle) => credentialMint.withPrepared(handle),
      commands,
      onTelemetry: (nodeId, sample, receivedAt) => {
        latestTelemetry.record(nodeId, sample, receivedAt);
        conditionEvents.check(nodeId);
      },
      callerOf: (clientId) => {
        const who = broker.whoIs(clientId);
        return who ? principalName(who) : undefined;
      },
      auditRpc: (req, result, detail) => {
        const who = broker.whoIs(req.replyTo);
        const params = (req.params ?? {}) as Record<string, unknown>;
        const target = [params.name, params.nodeId, params.id].find((x) => typeof x === 'string') as
          | string
          | undefined;
        audit({
          actor: who ? principalName(who) : `unknown:${req.replyTo}`,
          action: `rpc.${req.method}`,
          ...(target ? { target } : {}),
          result,
          detail,
        });
      },
    });
    client.onMessage(route);
    await client.subscribe([
      topics.allNodes('hello'),
      topics.allNodes('claim'),
      topics.allNodes('status'),
      topics.allNodes('cmd-result'),
      topics.allNodes('events'),
      topics.allNodes('telemetry'),
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

    // Staleness and offline nodes change conditions without a message: look at everyone now and then.
    let ticks = 0;
    const conditionEveryTicks = Math.max(1, Math.round(5_000 / (opts.tickMs ?? 1_000)));
    const ticker = setInterval(() => {
      ticks += 1;
      if (ticks % conditionEveryTicks === 0) {
        try {
          conditionEvents.checkAll();
        } catch (err) {
          logger.error({ err }, 'condition check failed');
        }
      }
      try {
        provisioner.tick();
        void cluster.pollAdopted();
      } catch (err) {
        logger.error({ err }, 'provisioning tick failed');
      }
      try {
        commands.tick();
      } catch (err) {
        logger.error({ err }, 'command tick failed');
      }
    }, opts.tickMs ?? 1_000);
    cleanup.push(() => clearInterval(ticker));

    inventory.watch(() => {
      void refreshBootstrap().then(() => provisioner.rematchUnsettled());
      cluster.onInventoryChanged();
    });
    if (opts.adoptKubeconfig) await cluster.adopt(opts.adoptKubeconfig);
    else await cluster.start();
    // Nodes that were waiting for the bootstrap repository or an inventory entry before a restart.
    provisioner.rematchUnsettled();

    const infoFile = join(opts.dataDir, 'controller.json');
    const info = {
      mqttUrl: listener.url,
      httpUrl: http.url,
      caFingerprint: listener.tls?.caFingerprint ?? null,
      pid: process.pid,
      startedAt,
    };
    await writeFileAtomic(infoFile, `${JSON.stringify(info, null, 2)}\n`, 0o600);
    cleanup.push(() => rm(infoFile, { force: true }));

    logger.info(
      {
        mqttUrl: listener.url,
        httpUrl: http.url,
        caFingerprint: listener.tls?.caFingerprint,
        inventory: inventory.path,
        nodes: inventory.current().nodes.length,
        dataDir: opts.dataDir,
      },
      'controller listening',
    );
    return {
      mqttUrl: listener.url,
      httpUrl: http.url,
      ...(listener.tls
        ? { caCertPem: listener.tls.caCertPem, caFingerprint: listener.tls.caFingerprint }
        : {}),
      cluster,
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
