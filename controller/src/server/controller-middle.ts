// The controller's middle: the lifecycle owners and the services that ask them for transitions,
// wired over the edges start-controller.ts has opened. Nothing here listens on a socket.
import { randomUUID } from 'node:crypto';
import type { Command, Welcome } from '@osbuild/shared';
import { topics } from '@osbuild/shared';
import pkg from '../../package.json' with { type: 'json' };
import type { CredentialMint } from '../auth/credential-mint.js';
import type { VerifiedSecrets } from '../auth/secrets.js';
import type { BootstrapPin } from '../bootstrap-repo/bootstrap-pin.js';
import { principalName } from '../broker/access-policy.js';
import type { EmbeddedBroker } from '../broker/embedded-broker.js';
import { ConditionEvents } from '../health/condition-events.js';
import { evaluateConditions } from '../health/conditions.js';
import type { InventorySource } from '../inventory/inventory-source.js';
import { ClusterManager } from '../kubernetes/cluster-manager.js';
import { kubeDisruptionAdapter } from '../kubernetes/disruption-adapter.js';
import { storeKubeRecords } from '../kubernetes/node-records.js';
import { NodeAdvance } from '../lifecycle/advance-relay.js';
import { COMMAND_ID_PREFIXES } from '../lifecycle/command-ids.js';
import { NodePhases } from '../lifecycle/node-phase.js';
import type { PeriodicJob } from '../lifecycle/service.js';
import { NodeLogIngest } from '../logs/node-log-ingest.js';
import type { ControllerMetrics } from '../metrics/controller-metrics.js';
import { netbootAdapter } from '../netboot/netboot-adapter.js';
import { CommandService } from '../operator-commands/command-service.js';
import { Provisioner } from '../provisioning/provisioner.js';
import { inventoryLabels, makeCommandHandlers } from '../rpc/command-handlers.js';
import { makeHandlers } from '../rpc/handlers.js';
import type { NodeBrief } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import type { LatestTelemetry } from '../telemetry/latest-telemetry.js';
import type { ControllerClient } from './controller-client.js';
import type { ResolvedOptions } from './controller-options.js';
import { makeMessageRouter } from './message-router.js';
import type { RejectedMessages } from './rejected-messages.js';
import { makeResultRouter, resultsOnly } from './result-router.js';
import { rpcAuditEntry } from './rpc-audit.js';

/** What the middle is built on. */
export interface MiddleEdges {
  opts: ResolvedOptions;
  startedAt: string;
  store: Store;
  inventory: InventorySource;
  broker: EmbeddedBroker;
  client: ControllerClient;
  bootstrap: BootstrapPin;
  metrics: ControllerMetrics;
  latestTelemetry: LatestTelemetry;
  rejections: RejectedMessages;
  verifiedSecrets: VerifiedSecrets;
  credentialMint: CredentialMint;
  admitClaim(nodeId: string): boolean;
  audit(e: {
    actor: string;
    action: string;
    target?: string;
    result: 'ok' | 'refused' | 'error';
    detail?: Record<string, unknown>;
  }): void;
}

/** Build the lifecycle owners, the services and the inbound message router. */
export async function buildMiddle(edges: MiddleEdges) {
  const { opts, store, inventory, client, bootstrap, metrics, latestTelemetry, audit } = edges;
  const { clock, logger } = opts;
  const sendCommand = (nodeId: string, cmd: Command) =>
    client.publish(topics.node(nodeId, 'cmd'), cmd, 'command');
  const asController = (e: Omit<Parameters<typeof audit>[0], 'actor'>) =>
    audit({ actor: 'controller', ...e });
  const phases = new NodePhases({ records: store, clock, logger });

  // No object cycle: the Kubernetes module moves phases through their owner and reports an
  // unblocked node to a relay made before both, on which the provisioner registers below.
  const advanceRelay = new NodeAdvance();
  const cluster = new ClusterManager({
    records: storeKubeRecords(store),
    phases,
    resume: advanceRelay,
    clock,
    logger: logger.child({ module: 'kubernetes' }),
    dataDir: opts.dataDir,
    inventory: () => inventory.current(),
    sendCommand,
    audit: asController,
    newId: () => randomUUID(),
    ...(opts.kubeConnect ? { connect: opts.kubeConnect } : {}),
    ...(opts.kubeRetryMs !== undefined ? { retryMs: opts.kubeRetryMs } : {}),
    ...(opts.adoptKubeconfig ? { adoptKubeconfig: opts.adoptKubeconfig } : {}),
    adoptPollMs: opts.tickMs,
  });
  const provisioner = new Provisioner({
    store,
    phases,
    verifiedSecrets: edges.verifiedSecrets,
    credentialMint: edges.credentialMint,
    clock,
    logger,
    inventory: () => inventory.current(),
    bootstrap: () => bootstrap.current(),
    retry: opts.retry,
    deadlineGraceMs: opts.deadlineGraceMs,
    newRunId: () => `${COMMAND_ID_PREFIXES.plan}${randomUUID().slice(0, 13)}`,
    onStepFinished: (kind, outcome, seconds) => metrics.observeStep(kind, outcome, seconds),
    sendCommand,
    sendWelcome: (nodeId: string, welcome: Welcome) =>
      client.publish(topics.node(nodeId, 'welcome'), welcome, 'welcome'),
    audit: asController,
    kube: cluster,
  });
  advanceRelay.register((nodeId) => provisioner.advanceNow(nodeId));

  const netboot = opts.netbootConfigPath
    ? await netbootAdapter({
        configFile: opts.netbootConfigPath,
        inventoryFile: opts.inventoryPath,
        exec: opts.exec,
        now: () => clock.now(),
        onBackgroundError: (err) =>
          logger.warn({ err }, 'netboot: removing an old root or copying a spare failed'),
      })
    : undefined;
  const netbootReset = opts.netbootReset ?? netboot;
  const powerHooks = opts.powerHooks ?? netboot;
  const commands = new CommandService({
    store,
    clock,
    logger,
    provisioning: provisioner,
    phases,
    send: sendCommand,
    bootstrap: () => bootstrap.current(),
    inventory: () => inventory.current(),
    newId: () => randomUUID(),
    audit,
    onOutcome: (_action, state) => metrics.observeCommand(state),
    disruption: opts.disruption ?? kubeDisruptionAdapter(cluster, opts.drainDeadlineMs),
    ...(netbootReset ? { netbootReset } : {}),
    ...(powerHooks ? { powerHooks } : {}),
    ...(opts.commandTtlSec ? { defaultTtlSec: opts.commandTtlSec } : {}),
  });

  const conditionsOf = (n: NodeBrief) =>
    evaluateConditions(
      { phase: n.phase, online: n.online },
      latestTelemetry.get(n.node_id),
      clock.now(),
      opts.health,
    );
  const conditionEvents = new ConditionEvents(store, conditionsOf, clock);
  const handlers = makeHandlers({
    store,
    provisioner,
    clock,
    disconnect: (clientId) => edges.broker.disconnect(clientId),
    disconnectWhere: (match) => edges.broker.disconnectWhere(match),
    conditionsOf,
    version: pkg.version,
    startedAt: edges.startedAt,
    inventoryStatus: () => inventory.status(),
    rejectedMessages: () => edges.rejections.byKind(),
    failedLogins: () => edges.broker.authFailures(),
    commandHandlers: makeCommandHandlers({
      store,
      commands,
      labels: () => inventoryLabels(inventory.current()),
    }),
    kubeNotReady: (hostname) => cluster.explain(hostname),
    clusterStatus: () => cluster.status(),
  });
  const callerOf = (clientId: string) => {
    const who = edges.broker.whoIs(clientId);
    return who ? principalName(who) : undefined;
  };
  const routeReport = makeResultRouter({
    owners: {
      operator: (nodeId, report) => commands.onReport(nodeId, report),
      plan: resultsOnly((nodeId, result) => {
        provisioner.onResult(nodeId, result);
        return true;
      }),
      kube: resultsOnly((nodeId, result) => cluster.onOwnResult(nodeId, result)),
    },
    ignored: (nodeId, result) =>
      store.events.append(
        nodeId,
        'result-ignored',
        { cmdId: result.id, why: 'unknown command' },
        clock.now().toISOString(),
      ),
  });
  const route = makeMessageRouter({
    store,
    provisioner,
    handlers,
    clock,
    logger,
    rejections: edges.rejections,
    respond: (topic, body) => client.publish(topic, body, 'rpc reply'),
    admitClaim: edges.admitClaim,
    claimWhenReady: (handle) => edges.credentialMint.withPrepared(handle),
    commands,
    nodeLogs: new NodeLogIngest({ store, clock }),
    routeReport,
    onTelemetry: (nodeId, sample, receivedAt) => {
      latestTelemetry.record(nodeId, sample, receivedAt);
      conditionEvents.check(nodeId);
    },
    callerOf,
    auditRpc: (req, result, detail) => audit(rpcAuditEntry(req, callerOf(req.replyTo), result, detail)),
  });

  const jobs: PeriodicJob[] = [
    { name: 'health-conditions', everyMs: opts.conditionSweepMs, run: () => void conditionEvents.checkAll() },
    // Summary lines for floods the rejection log held back, soon after their window ends.
    { name: 'rejection-log', everyMs: opts.rejectionLogFlushMs, run: () => edges.rejections.flush() },
    ...provisioner.jobs(opts.tickMs),
    ...cluster.jobs(),
    ...commands.jobs(opts.tickMs),
  ];
  return { phases, cluster, provisioner, commands, route, jobs };
}
