import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { type ControllerStatus, PROTOCOL_VERSION } from '@osbuild/shared';
import pkg from '../../package.json' with { type: 'json' };
import { auditLogPath, openAuditLog } from '../audit/audit-log.js';
import { makeAuthenticator } from '../auth/authenticator.js';
import { CredentialMint } from '../auth/credential-mint.js';
import { ensureFirstStartSecrets } from '../auth/first-start-secrets.js';
import { VerifiedSecrets } from '../auth/secrets.js';
import { BootstrapPin } from '../bootstrap-repo/bootstrap-pin.js';
import { startHttpServer } from '../bootstrap-repo/http-server.js';
import { startEmbeddedBroker } from '../broker/embedded-broker.js';
import { writeFileAtomic } from '../host/private-files.js';
import { InventorySource } from '../inventory/inventory-source.js';
import type { ClusterManager } from '../kubernetes/cluster-manager.js';
import type { Service } from '../lifecycle/service.js';
import { ControllerMetrics } from '../metrics/controller-metrics.js';
import { nodeMetricsViews, telemetryGauges } from '../metrics/store-sources.js';
import { loadNetbootConfig } from '../netboot/config.js';
import { openStore } from '../store/store.js';
import { LatestTelemetry } from '../telemetry/latest-telemetry.js';
import { makeAdmission } from './admission.js';
import { ControllerClient } from './controller-client.js';
import { buildMiddle } from './controller-middle.js';
import { type ControllerOptions, resolveOptions } from './controller-options.js';
import { checkListenPolicy, parseListen, startMqttListener } from './listeners.js';
import { NodeRateLimits } from './node-rate-limits.js';
import { controllerInfoPath, databasePath, privatePaths } from './private-paths.js';
import { RejectedMessages } from './rejected-messages.js';
import { Scheduler } from './scheduler.js';
import { checkServedTrees } from './served-tree-check.js';
import type { PrunedRows } from './store-retention.js';

export type { ControllerOptions, RateLimit } from './controller-options.js';

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

/**
 * The composition root: opens the edges (store, audit log, broker, listeners, the controller's
 * own MQTT client), builds the middle over them (controller-middle.ts), starts the scheduler and
 * the services, and stops everything in reverse order. Resolves once the controller is serving.
 */
export async function startController(options: ControllerOptions): Promise<ControllerHandle> {
  const opts = resolveOptions(options);
  const { clock, logger } = opts;
  const startedAt = clock.now().toISOString();
  checkListenPolicy(opts.listen, opts.insecureListen);
  const httpAddr = parseListen(opts.httpListen, ['http:']);
  const privates = privatePaths(
    opts.dataDir,
    opts.adoptKubeconfigFile ? [{ what: 'the kubeconfig to adopt', path: opts.adoptKubeconfigFile }] : [],
  );
  await checkServedTrees({
    exec: opts.exec,
    bootstrapDir: opts.bootstrapDir,
    inventoryPath: opts.inventoryPath,
    ...(opts.netbootConfigPath ? { netbootDir: (await loadNetbootConfig(opts.netbootConfigPath)).dir } : {}),
    privatePaths: privates,
  });

  await mkdir(opts.dataDir, { recursive: true, mode: 0o700 });
  const inventory = await InventorySource.open(opts.inventoryPath, logger, () => clock.now());
  const store = openStore(databasePath(opts.dataDir), { quota: opts.nodeQuota });
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
    const secrets = await ensureFirstStartSecrets(store, opts.dataDir, startedAt);
    for (const what of secrets.created)
      audit({ actor: 'controller', action: 'secret.created', target: what, result: 'ok' });

    const controllerSecret = randomBytes(24).toString('hex');
    const admission = makeAdmission(opts.rateLimits, clock);
    // One cache for the authenticator and credential issuance (auth/secrets.ts).
    const verifiedSecrets = new VerifiedSecrets();
    const broker = await startEmbeddedBroker({
      authenticate: makeAuthenticator(store, controllerSecret, () => clock.now(), verifiedSecrets),
      logger,
      events: {
        admit: admission.admit,
        admitHello: admission.admitHello,
        onRefusedLogin: (e) =>
          audit({
            actor: e.username ?? 'anonymous',
            action: 'login.refused',
            target: e.clientId,
            result: 'refused',
            detail: { address: e.address, why: e.why },
          }),
        onRefusalSummary: (s) => {
          if (s.kind !== 'login') return;
          audit({
            actor: 'controller',
            action: 'login.refused.summary',
            target: s.source,
            result: 'refused',
            detail: { further: s.count, seconds: s.seconds },
          });
        },
      },
      refusals: { windowMs: opts.refusalWindowMs, now: () => clock.now().getTime() },
    });
    const listener = await startMqttListener({
      listen: opts.listen,
      insecureListen: opts.insecureListen,
      tlsSans: opts.tlsSans,
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

    const rejections = new RejectedMessages({ logger, clock, limits: opts.rejectionLog });
    const nodeRates = new NodeRateLimits({
      limits: opts.nodeRateLimits,
      clock,
      logger,
      logWindowMs: opts.nodeDropLogWindowMs,
    });
    const pruned: PrunedRows = new Map();
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
      rejected: () => rejections.byKind(),
      rejectedUnlogged: () => rejections.suppressedByKind(),
      rateLimited: () => ({ byKind: nodeRates.dropped().byKind, byNode: nodeRates.droppedByNode() }),
      storeRowsDeleted: () => ({
        ...Object.fromEntries([...pruned].map(([table, n]) => [`retention:${table}`, n])),
        ...Object.fromEntries(Object.entries(store.quota.deleted()).map(([t, n]) => [`quota:${t}`, n])),
      }),
      storeBytes: () => store.retention.sizeBytes(),
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
    const bootstrap = new BootstrapPin({
      exec: opts.exec,
      logger,
      source: () => inventory.current().bootstrap,
      inventoryPath: inventory.path,
      privateRoots: privates.map((p) => p.path),
      bootstrapDir: opts.bootstrapDir,
      bareDir,
      publicHttpUrl: opts.publicHttpUrl ?? http.url,
    });
    await bootstrap.refresh();

    const client = await ControllerClient.connect({
      url: listener.url,
      secret: controllerSecret,
      ca: listener.ca,
      startedAt,
      clock,
      logger,
    });
    cleanup.push(() => client.close());

    const middle = await buildMiddle({
      opts,
      startedAt,
      store,
      inventory,
      broker,
      client,
      bootstrap,
      metrics,
      latestTelemetry,
      rejections,
      nodeRates,
      pruned,
      verifiedSecrets,
      credentialMint: new CredentialMint(),
      admitClaim: admission.admitClaim,
      audit,
    });
    const { cluster, provisioner } = middle;
    // The downtime was ours, not the nodes': give in-flight steps a fresh grace period.
    const graceUntil = new Date(clock.now().getTime() + opts.deadlineGraceMs).toISOString();
    store.runs.extendDeadlines(graceUntil);
    store.commands.extendDeadlines(graceUntil);

    const online: ControllerStatus = {
      v: PROTOCOL_VERSION,
      online: true,
      at: startedAt,
      version: pkg.version,
      startedAt,
    };
    await client.serve(middle.route, online);
    inventory.watch(() => {
      void bootstrap.refresh().then(() => provisioner.rematchUnsettled());
      cluster.onInventoryChanged();
    });
    // Started in order, stopped in reverse (the cleanup list runs backwards).
    const refusalSummaries = {
      name: 'refusal-summaries',
      everyMs: Math.min(opts.tickMs, opts.refusalWindowMs),
      run: () => broker.flushRefusals(),
    };
    const services: Service[] = [new Scheduler([...middle.jobs, refusalSummaries], logger), cluster];
    for (const service of services) {
      cleanup.push(() => service.stop());
      await service.start();
    }
    // Nodes that were waiting for the bootstrap repository or an inventory entry before a restart.
    provisioner.rematchUnsettled();

    const infoFile = controllerInfoPath(opts.dataDir);
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
        await client.sayOffline();
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
