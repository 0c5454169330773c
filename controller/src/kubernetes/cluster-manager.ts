import type {
  ClusterStatusView,
  Command,
  CommandResult,
  Inventory,
  NodeRole,
  Step,
  StepSecrets,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { NodePhases } from '../lifecycle/node-phase.js';
import type { PeriodicJob, Service } from '../lifecycle/service.js';
import type { KubeHooks, KubePlan, Prepared } from '../provisioning/kube-hooks.js';
import { AgentOperations } from './agent-operations.js';
import { ClusterDisruption } from './cluster-disruption.js';
import { clusterStatus, notReadyExplanation } from './cluster-status.js';
import { ControlPlaneLock } from './control-plane-lock.js';
import type { KubeDrain } from './disruption.js';
import { JoinSecrets } from './join-secrets.js';
import type { KubeApi, KubeNode } from './kube-api.js';
import { KubeConnection } from './kube-connection.js';
import { kubePlan } from './kube-plan.js';
import type { KubeRecords } from './node-records.js';
import { NodeWatch } from './node-watch.js';
import type { KubeAudit, NodeResume } from './ports.js';
import { RetryTimers } from './retry-timers.js';
import { TokenHygiene } from './token-hygiene.js';

/** What the Kubernetes module needs from the controller. */
export interface ClusterManagerDeps {
  /** Nodes and plan steps, read only. */
  records: KubeRecords;
  /** The owner of node phases: joined/ready/provisioned follow the Node object through it. */
  phases: Pick<NodePhases, 'move'>;
  /** Told when a node's next step no longer waits for this module (secrets made, cluster there). */
  resume: NodeResume;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  inventory(): Inventory;
  sendCommand(nodeId: string, cmd: Command): void;
  audit: KubeAudit;
  /** Build an API client from kubeconfig text (default: @kubernetes/client-node, loaded lazily). */
  connect?(kubeconfig: string): KubeApi | Promise<KubeApi>;
  /** Kubeconfig text of an existing cluster to adopt at start instead of the stored one. */
  adoptKubeconfig?: string;
  newId(): string;
  /** How long to wait for an agent's upload-certs or etcd answer (default 3 min). */
  opTimeoutMs?: number;
  /** Delay before retrying failed preparation or a broken watch (default 2 s). */
  retryMs?: number;
  /** How often to look for a kubeconfig `osbuild cluster adopt` stored (default 1 s). */
  adoptPollMs?: number;
}

const stepKey = (runId: string, index: number) => `${runId}/${index}`;

/**
 * The controller's side of Kubernetes, composed of one piece per idea: the API connection
 * (kube-connection.ts), who initialises (kube-plan.ts), join secrets (join-secrets.ts), the
 * control-plane lock (control-plane-lock.ts), the Node watch (node-watch.ts), token hygiene
 * (token-hygiene.ts), drain and removal (cluster-disruption.ts) and status (cluster-status.ts).
 * This facade answers the provisioner's {@link KubeHooks} and the CLI's status questions and
 * keeps the service start/stop contract. Secrets are held in memory only.
 */
export class ClusterManager implements KubeHooks, Service {
  readonly name = 'kubernetes';
  readonly #retries: RetryTimers;
  readonly #operations: AgentOperations;
  readonly #tokens: TokenHygiene;
  readonly #lock: ControlPlaneLock;
  readonly #connection: KubeConnection;
  readonly #watch: NodeWatch;
  readonly #secrets: JoinSecrets;
  readonly #disruption: ClusterDisruption;

  constructor(private readonly deps: ClusterManagerDeps) {
    const { records, clock, logger, audit, inventory, resume } = deps;
    this.#retries = new RetryTimers(deps.retryMs ?? 2_000);
    this.#operations = new AgentOperations(deps.sendCommand, deps.newId, () => clock.now());
    this.#tokens = new TokenHygiene(audit);
    this.#lock = new ControlPlaneLock(records);
    this.#connection = new KubeConnection({
      dataDir: deps.dataDir,
      logger,
      audit,
      ...(deps.connect ? { connect: deps.connect } : {}),
      onConnected: (api) => this.#onConnected(api),
      stopped: () => this.#retries.stopped,
    });
    this.#watch = new NodeWatch({
      api: () => this.#connection.api,
      records,
      phases: deps.phases,
      inventory,
      tokens: this.#tokens,
      retries: this.#retries,
      logger,
    });
    this.#secrets = new JoinSecrets({
      lock: this.#lock,
      tokens: this.#tokens,
      records,
      controlPlaneNodes: () => this.#watch.controlPlaneNodes(),
      runOnNode: (nodeId, step) => this.runOnNode(nodeId, step),
      inventory,
      clock,
      audit,
      logger,
      resume,
      retries: this.#retries,
    });
    this.#disruption = new ClusterDisruption({
      api: () => this.#connection.api,
      node: (name) => this.#watch.node(name),
      controlPlaneNodes: () => this.#watch.controlPlaneNodes(),
      records,
      runOnNode: (nodeId, step) => this.runOnNode(nodeId, step),
      clock,
      logger,
      audit,
    });
  }

  /** Follow the cluster of `adoptKubeconfig`, else of the stored kubeconfig, if any. */
  async start(): Promise<void> {
    if (this.deps.adoptKubeconfig) await this.adopt(this.deps.adoptKubeconfig);
    else await this.#connection.resumeStored();
  }

  stop(): void {
    this.#retries.stop();
    this.#watch.stop();
    this.#operations.close();
  }

  /** Periodic work, for the controller's scheduler. */
  jobs(): PeriodicJob[] {
    return [
      {
        name: 'kubernetes.adopted-kubeconfig',
        everyMs: this.deps.adoptPollMs ?? 1_000,
        run: () => this.#connection.pickUpAdopted(),
      },
    ];
  }

  /** The API client, or null while there is no cluster. */
  get api(): KubeApi | null {
    return this.#connection.api;
  }

  /** Take over an existing cluster: check the kubeconfig works, store it 0600, follow the cluster. */
  adopt(kubeconfig: string): Promise<void> {
    return this.#connection.adopt(kubeconfig);
  }

  // --- KubeHooks -------------------------------------------------------------------------------

  planFor(nodeId: string, role: NodeRole): KubePlan | null {
    return kubePlan(
      nodeId,
      role,
      {
        inventory: this.deps.inventory(),
        managed: this.#connection.api !== null,
        nodesWithInit: () => this.deps.records.nodesWithStep('kubeadm-init'),
      },
      this.deps.logger,
    );
  }

  prepare(nodeId: string, hostname: string, step: Step, runId: string, index: number): Prepared {
    const key = stepKey(runId, index);
    if (step.kind === 'kubeadm-init') {
      const busy = this.#lock.blockedFor(nodeId);
      if (busy) return { ready: false, reason: busy };
      this.#lock.take(nodeId, key);
      return { ready: true };
    }
    if (step.kind !== 'kubeadm-join') return { ready: true };
    return this.#secrets.prepare(this.#connection.api, nodeId, hostname, step.controlPlane, key);
  }

  dispatched(cmdId: string, nodeId: string, step: Step, secrets: StepSecrets | undefined): void {
    if (secrets) this.#secrets.dispatched(cmdId, secrets);
    this.#lock.dispatched(nodeId, step, cmdId);
  }

  resend(cmdId: string): StepSecrets | undefined | null {
    return this.#secrets.resend(cmdId);
  }

  onOwnResult(_nodeId: string, result: CommandResult): boolean {
    return this.#operations.settle(result);
  }

  onStepResult(nodeId: string, step: Step, result: CommandResult): void {
    this.#secrets.settled(result.id);
    this.#lock.finished(nodeId, step);
    if (step.kind === 'kubeadm-init' && result.outcome === 'succeeded') {
      if (!result.secret || result.secret === '<redacted>') {
        this.deps.logger.error({ nodeId }, 'kubeadm init succeeded but its result carried no kubeconfig');
        return;
      }
      void this.#takeInitKubeconfig(nodeId, result.secret);
    }
    const api = this.#connection.api;
    if (step.kind === 'kubeadm-join' && result.outcome !== 'succeeded' && api) {
      // An unused token must not outlive the attempt it was made for; the retry gets a fresh one.
      void this.#tokens.revokeFor(api, step.nodeName).catch(() => undefined);
    }
  }

  onPlanComplete(nodeId: string): void {
    const hostname = this.deps.records.node(nodeId)?.hostname;
    if (hostname) this.#watch.followPhase(hostname);
  }

  // --- queries and operations ------------------------------------------------------------------

  status(): ClusterStatusView {
    return clusterStatus(this.#connection.api, this.#lock.describe(), this.#watch.nodes());
  }

  /** Why a joined node is not Ready, from its Node conditions; null when that is not the question. */
  explain(hostname: string): string | null {
    return notReadyExplanation(this.#watch.node(hostname));
  }

  /** The Node object as last seen by the watch. */
  node(name: string): KubeNode | undefined {
    return this.#watch.node(name);
  }

  /** The control-plane Nodes as last seen. */
  controlPlaneNodes(): KubeNode[] {
    return this.#watch.controlPlaneNodes();
  }

  /** Run a one-off step on a node's agent (upload-certs, etcd member removal). */
  runOnNode(nodeId: string, step: Step): Promise<CommandResult> {
    return this.#operations.run(nodeId, step, this.deps.opTimeoutMs ?? 180_000);
  }

  /** Cordon and drain a Node through the eviction API (PodDisruptionBudgets honoured). */
  drainNode(
    name: string,
    opts: { deadlineMs: number; force?: boolean; pollMs?: number },
  ): Promise<{ evicted: number }> {
    return this.#disruption.drainNode(name, opts);
  }

  /** Delete a Node (and a control plane's etcd member) so the cluster keeps no ghost. */
  removeNode(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return this.#disruption.removeNode(name, opts);
  }

  /** The port reboot/reprovision call before disrupting a node. */
  disruption(drainDeadlineMs = 300_000): KubeDrain {
    return this.#disruption.beforeDisruption(drainDeadlineMs);
  }

  /** After nodes.yaml changed: bring every Node's labels and taints in line. */
  onInventoryChanged(): void {
    this.#watch.syncAllMetadata();
  }

  // --- internals -------------------------------------------------------------------------------

  async #onConnected(api: KubeApi): Promise<void> {
    await this.#watch.start(api);
    // Joins that were waiting for a cluster can go now.
    for (const n of this.deps.records.nodesInPhase(['provisioning']))
      this.deps.resume.nodeUnblocked(n.nodeId);
  }

  async #takeInitKubeconfig(nodeId: string, kubeconfig: string): Promise<void> {
    try {
      const api = await this.#connection.takeFromInit(nodeId, kubeconfig);
      if (api) await this.#tokens.deleteUnmanaged(api);
    } catch (err) {
      this.deps.logger.error(
        { nodeId, err: (err as Error).message },
        'could not store or use the kubeconfig from kubeadm init',
      );
    }
  }
}
