import type {
  Command,
  CommandResult,
  Inventory,
  NodePhase,
  NodeRole,
  Step,
  StepSecrets,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { KubeHooks, KubePlan, Prepared } from '../provisioning/kube-hooks.js';
import type { Store } from '../store/store.js';
import { OwnCommands } from './agent-operations.js';
import { bootstrapTokenSecret, caCertHash, newBootstrapToken, tokenDescription } from './bootstrap-token.js';
import { type DisruptionDeps, drainNode, type KubeDrain, kubeDisruption, removeNode } from './disruption.js';
import { type KubeApi, KubeApiError, type KubeNode, type NodeWatchEvent } from './kube-api.js';
import { loadKubeconfig, saveKubeconfig } from './kubeconfig-file.js';
import { desiredMetadata, metadataPatch, notReadyReason, readyCondition } from './node-sync.js';

/** What the Kubernetes module needs from the controller. */
export interface ClusterManagerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  dataDir: string;
  inventory(): Inventory;
  sendCommand(nodeId: string, cmd: Command): void;
  /** Record a fact in the audit log; never a secret (token ids are public, tokens are not). */
  audit(e: {
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
  /** Let the provisioner advance a node again (after slow preparation finished). */
  kick(nodeId: string): void;
  /** Set a node's phase in its own transaction. */
  setPhase(nodeId: string, phase: NodePhase, reason: string): void;
  /** Build an API client from kubeconfig text (default: @kubernetes/client-node, loaded lazily). */
  connect?(kubeconfig: string): KubeApi | Promise<KubeApi>;
  newId(): string;
  /** How long to wait for an agent's upload-certs or etcd answer (default 3 min). */
  opTimeoutMs?: number;
  /** Delay before retrying failed preparation or a broken watch (default 2 s). */
  retryMs?: number;
}

/** Cluster status for `osbuild cluster status`. */
export interface ClusterStatus {
  managed: boolean;
  server: string | null;
  controlPlaneOperation: string | null;
  nodes: Array<{
    name: string;
    ready: boolean;
    controlPlane: boolean;
    unschedulable: boolean;
    reason: string | null;
  }>;
}

const stepKey = (runId: string, index: number) => `${runId}/${index}`;

/**
 * The controller's side of Kubernetes: decides who runs kubeadm init, makes a bootstrap token per
 * joining node just in time, hands the secrets to the provisioner for that node's command only,
 * follows Node objects with a watch (phases joined/ready, token clean-up, labels and taints), and
 * keeps control-plane operations one at a time. Secrets are held in memory only.
 */
export class ClusterManager implements KubeHooks {
  #api: KubeApi | null = null;
  #stopWatch: (() => void) | null = null;
  #stopped = false;
  #polling = false;
  readonly #nodes = new Map<string, KubeNode>();
  readonly #prepared = new Map<string, StepSecrets>();
  readonly #preparing = new Map<string, string>();
  readonly #inflight = new Map<string, StepSecrets>();
  /** The one control-plane operation allowed at a time (etcd quorum): node and its step key. */
  #cpOp: { nodeId: string; key: string; cmdId: string | null } | null = null;
  readonly #own: OwnCommands;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(private readonly d: ClusterManagerDeps) {
    this.#own = new OwnCommands(d.sendCommand, d.newId, () => d.clock.now());
  }

  /** Connect to the cluster of the stored kubeconfig, if any. */
  async start(): Promise<void> {
    const kubeconfig = await loadKubeconfig(this.d.dataDir);
    if (kubeconfig) await this.#connect(kubeconfig, 'stored kubeconfig');
  }

  stop(): void {
    this.#stopped = true;
    this.#stopWatch?.();
    this.#own.close();
    for (const t of this.#timers) clearTimeout(t);
  }

  /**
   * Pick up a kubeconfig `osbuild cluster adopt` stored while the controller runs (called from the
   * controller's tick; a stat of one file, not an API call).
   */
  async pollAdopted(): Promise<void> {
    if (this.#api || this.#polling || this.#stopped) return;
    this.#polling = true;
    try {
      const kubeconfig = await loadKubeconfig(this.d.dataDir);
      if (kubeconfig && !this.#api) {
        this.d.audit({ action: 'cluster.adopted', target: 'kubeconfig file', result: 'ok' });
        await this.#connect(kubeconfig, 'adopted (osbuild cluster adopt)');
      }
    } catch (err) {
      this.d.logger.warn({ err: (err as Error).message }, 'could not use the adopted kubeconfig');
    } finally {
      this.#polling = false;
    }
  }

  /** The API client, or null while there is no cluster. */
  get api(): KubeApi | null {
    return this.#api;
  }

  /** Take over an existing cluster: check the kubeconfig works, store it 0600, follow the cluster. */
  async adopt(kubeconfig: string): Promise<void> {
    const api = await this.#client(kubeconfig);
    await api.listNodes();
    await saveKubeconfig(this.d.dataDir, kubeconfig);
    this.d.audit({ action: 'cluster.adopted', target: api.server, result: 'ok' });
    await this.#connect(kubeconfig, 'adopted');
  }

  // --- KubeHooks -------------------------------------------------------------------------------

  planFor(nodeId: string, role: NodeRole): KubePlan | null {
    const inv = this.d.inventory();
    if (!inv.cluster.kubeadm) return null;
    const endpoint = this.#endpoint(inv);
    if (!endpoint) {
      this.d.logger.warn(
        'cluster.kubeadm is on but there is no controlPlaneEndpoint and no control plane with an ip',
      );
      return null;
    }
    const initialiser = this.d.store.runs.nodesWithStep('kubeadm-init').filter((n) => n !== nodeId);
    const init = !this.#api && role === 'control-plane' && initialiser.length === 0;
    return { mode: init ? 'init' : 'join', controlPlaneEndpoint: endpoint };
  }

  prepare(nodeId: string, hostname: string, step: Step, runId: string, index: number): Prepared {
    const key = stepKey(runId, index);
    if (step.kind === 'kubeadm-init') {
      const busy = this.#cpBusy(nodeId);
      if (busy) return { ready: false, reason: busy };
      this.#cpOp = { nodeId, key, cmdId: null };
      return { ready: true };
    }
    if (step.kind !== 'kubeadm-join') return { ready: true };
    if (!this.#api)
      return { ready: false, reason: 'no cluster yet: waiting for the first control plane (kubeadm init)' };
    const made = this.#prepared.get(key);
    if (made) {
      this.#prepared.delete(key);
      return { ready: true, secrets: made };
    }
    const doing = this.#preparing.get(key);
    if (doing) return { ready: false, reason: doing };
    if (step.controlPlane) {
      const busy = this.#cpBusy(nodeId);
      if (busy) return { ready: false, reason: busy };
      this.#cpOp = { nodeId, key, cmdId: null };
    }
    const reason = step.controlPlane
      ? 'making a join token and asking a control plane for a certificate key'
      : 'making a join token';
    this.#preparing.set(key, reason);
    void this.#prepareJoin(this.#api, nodeId, hostname, step.controlPlane, key);
    return { ready: false, reason };
  }

  dispatched(cmdId: string, nodeId: string, step: Step, secrets: StepSecrets | undefined): void {
    if (secrets) this.#inflight.set(cmdId, secrets);
    if (this.#cpOp?.nodeId === nodeId && (step.kind === 'kubeadm-init' || step.kind === 'kubeadm-join'))
      this.#cpOp.cmdId = cmdId;
  }

  resend(cmdId: string): StepSecrets | undefined | null {
    const secrets = this.#inflight.get(cmdId);
    if (secrets) return secrets;
    return this.d.store.runs.stepByCmdId(cmdId)?.kind === 'kubeadm-join' ? undefined : null;
  }

  onOwnResult(_nodeId: string, result: CommandResult): boolean {
    return this.#own.settle(result);
  }

  onStepResult(nodeId: string, step: Step, result: CommandResult): void {
    this.#inflight.delete(result.id);
    if (this.#cpOp?.nodeId === nodeId && (step.kind === 'kubeadm-init' || step.kind === 'kubeadm-join'))
      this.#cpOp = null;
    if (step.kind === 'kubeadm-init' && result.outcome === 'succeeded') {
      if (!result.secret || result.secret === '<redacted>') {
        this.d.logger.error({ nodeId }, 'kubeadm init succeeded but its result carried no kubeconfig');
        return;
      }
      void this.#storeInitKubeconfig(nodeId, result.secret);
    }
    if (step.kind === 'kubeadm-join' && result.outcome !== 'succeeded' && this.#api) {
      // An unused token must not outlive the attempt it was made for; the retry gets a fresh one.
      void this.#deleteTokensFor(this.#api, step.nodeName).catch(() => undefined);
    }
  }

  onPlanComplete(nodeId: string): void {
    const node = this.d.store.nodes.get(nodeId);
    const kn = node?.hostname ? this.#nodes.get(node.hostname) : undefined;
    if (node && kn) this.#follow(kn);
  }

  // --- queries ---------------------------------------------------------------------------------

  status(): ClusterStatus {
    return {
      managed: this.#api !== null,
      server: this.#api?.server ?? null,
      controlPlaneOperation: this.#cpOp ? `${this.#cpOp.nodeId} (${this.#cpOp.key})` : null,
      nodes: [...this.#nodes.values()]
        .map((n) => {
          const ready = readyCondition(n)?.status === 'True';
          return {
            name: n.name,
            ready,
            controlPlane: n.controlPlane,
            unschedulable: n.unschedulable,
            reason: ready ? null : notReadyReason(n),
          };
        })
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /** Why a joined node is not Ready, from its Node conditions; null when that is not the question. */
  explain(hostname: string): string | null {
    const n = this.#nodes.get(hostname);
    if (!n) return null;
    return readyCondition(n)?.status === 'True' ? null : notReadyReason(n);
  }

  /** The Node object as last seen by the watch. */
  node(name: string): KubeNode | undefined {
    return this.#nodes.get(name);
  }

  /** Names of control-plane Nodes as last seen. */
  controlPlaneNodes(): KubeNode[] {
    return [...this.#nodes.values()].filter((n) => n.controlPlane);
  }

  /** Run a one-off step on a node's agent (upload-certs, etcd member removal). */
  runOnNode(nodeId: string, step: Step): Promise<CommandResult> {
    return this.#own.run(nodeId, step, this.d.opTimeoutMs ?? 180_000);
  }

  /** Deps of drain and removal, bound to this cluster. */
  disruptionDeps(report: (message: string) => void = (m) => this.d.logger.info(m)): DisruptionDeps {
    return {
      api: () => this.#api,
      node: (name) => this.#nodes.get(name),
      controlPlaneNodes: () => this.controlPlaneNodes(),
      runOnHost: async (hostname, step) => {
        const n = this.d.store.nodes.findByHostname(hostname);
        if (!n) throw new Error(`no node named ${hostname} to run ${step.kind} on`);
        await this.runOnNode(n.node_id, step);
      },
      now: () => this.d.clock.now().getTime(),
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      report,
      audit: this.d.audit,
    };
  }

  /** Cordon and drain a Node through the eviction API (PodDisruptionBudgets honoured). */
  drainNode(
    name: string,
    opts: { deadlineMs: number; force?: boolean; pollMs?: number },
  ): Promise<{ evicted: number }> {
    return drainNode(this.disruptionDeps(), name, opts);
  }

  /** Delete a Node (and a control plane's etcd member) so the cluster keeps no ghost. */
  removeNode(name: string, opts: { force?: boolean } = {}): Promise<void> {
    return removeNode(this.disruptionDeps(), name, opts);
  }

  /** The port reboot/reprovision call before disrupting a node. */
  disruption(drainDeadlineMs = 300_000): KubeDrain {
    return kubeDisruption(this.disruptionDeps(), drainDeadlineMs);
  }

  /** After nodes.yaml changed: bring every Node's labels and taints in line. */
  onInventoryChanged(): void {
    for (const n of this.#nodes.values()) this.#syncMetadata(n);
  }

  // --- internals -------------------------------------------------------------------------------

  #endpoint(inv: Inventory): string | null {
    if (inv.cluster.controlPlaneEndpoint) {
      const e = inv.cluster.controlPlaneEndpoint;
      return e.includes(':') ? e : `${e}:6443`;
    }
    const cp = inv.nodes.find((n) => n.role === 'control-plane' && n.ip);
    return cp?.ip ? `${cp.ip.split('/')[0]}:6443` : null;
  }

  /** Why another control-plane operation blocks `nodeId`, or null. A finished one is released. */
  #cpBusy(nodeId: string): string | null {
    const op = this.#cpOp;
    if (!op || op.nodeId === nodeId) return null;
    if (op.cmdId) {
      const step = this.d.store.runs.stepByCmdId(op.cmdId);
      if (step && step.state !== 'running') {
        this.#cpOp = null;
        return null;
      }
    }
    const other = this.d.store.nodes.get(op.nodeId);
    return `another control-plane operation is running on ${other?.hostname ?? op.nodeId} (one at a time for etcd quorum)`;
  }

  async #prepareJoin(
    api: KubeApi,
    nodeId: string,
    hostname: string,
    controlPlane: boolean,
    key: string,
  ): Promise<void> {
    try {
      await this.#deleteTokensFor(api, hostname);
      const ttl = this.d.inventory().cluster.tokenTtlMinutes;
      let token = newBootstrapToken();
      try {
        await api.createSecret('kube-system', bootstrapTokenSecret(token, hostname, ttl, this.d.clock.now()));
      } catch (err) {
        if (!(err instanceof KubeApiError && err.status === 409)) throw err;
        token = newBootstrapToken(); // a token id collision: one more draw
        await api.createSecret('kube-system', bootstrapTokenSecret(token, hostname, ttl, this.d.clock.now()));
      }
      this.d.audit({
        action: 'secret.issued',
        target: nodeId,
        result: 'ok',
        detail: { kind: 'bootstrap-token', tokenId: token.id, node: hostname, ttlMinutes: ttl },
      });
      const secrets: StepSecrets = { token: token.token, caCertHash: caCertHash(api.caPem) };
      if (controlPlane) secrets.certificateKey = await this.#certificateKey(nodeId);
      this.#prepared.set(key, secrets);
      this.#preparing.delete(key);
      this.d.kick(nodeId);
    } catch (err) {
      const message = (err as Error).message;
      this.d.logger.warn({ nodeId, err: message }, 'could not prepare the join; retrying');
      this.#preparing.set(key, `could not prepare the join (${message}); retrying`);
      if (this.#cpOp?.key === key) this.#cpOp = null;
      this.#later(() => {
        this.#preparing.delete(key);
        this.d.kick(nodeId);
      });
    }
  }

  /** A fresh certificate key from a control plane that has joined (never the joining node). */
  async #certificateKey(joiningNodeId: string): Promise<string> {
    const candidates = this.controlPlaneNodes()
      .map((kn) => this.d.store.nodes.findByHostname(kn.name))
      .filter((n) => n && n.node_id !== joiningNodeId && n.online);
    const source = candidates[0];
    if (!source) throw new Error('no online control-plane node to run kubeadm upload-certs on');
    const result = await this.runOnNode(source.node_id, { kind: 'kubeadm-upload-certs', timeoutSec: 120 });
    if (!result.secret || !/^[0-9a-f]{64}$/.test(result.secret))
      throw new Error(`kubeadm upload-certs on ${source.hostname} returned no certificate key`);
    this.d.audit({
      action: 'secret.issued',
      target: joiningNodeId,
      result: 'ok',
      detail: { kind: 'certificate-key', from: source.hostname },
    });
    return result.secret;
  }

  async #deleteTokensFor(api: KubeApi, hostname: string): Promise<number> {
    const mine = (await api.listBootstrapTokens()).filter(
      (t) => t.description === tokenDescription(hostname),
    );
    for (const t of mine) {
      await api.deleteSecret('kube-system', `bootstrap-token-${t.tokenId}`).catch((err: Error) => {
        if (!(err instanceof KubeApiError && err.status === 404)) throw err;
      });
      this.d.audit({
        action: 'secret.revoked',
        target: hostname,
        result: 'ok',
        detail: { kind: 'bootstrap-token', tokenId: t.tokenId },
      });
    }
    return mine.length;
  }

  async #storeInitKubeconfig(nodeId: string, kubeconfig: string): Promise<void> {
    this.#polling = true; // pollAdopted must not connect a second time from the file being written
    try {
      await saveKubeconfig(this.d.dataDir, kubeconfig);
      this.d.audit({
        action: 'secret.stored',
        target: nodeId,
        result: 'ok',
        detail: { kind: 'admin-kubeconfig' },
      });
      await this.#connect(kubeconfig, 'kubeadm init');
      // kubeadm init always makes a default token; only just-in-time ones should exist.
      const api = this.#api;
      if (api)
        for (const t of await api.listBootstrapTokens())
          if (!t.description.startsWith('osbuild:'))
            await api.deleteSecret('kube-system', `bootstrap-token-${t.tokenId}`);
    } catch (err) {
      this.d.logger.error(
        { nodeId, err: (err as Error).message },
        'could not store or use the kubeconfig from kubeadm init',
      );
    }
  }

  /**
   * @kubernetes/client-node takes seconds to load on a small machine: import it only once a
   * cluster exists, so the CLI and controllers without Kubernetes start fast.
   */
  async #client(kubeconfig: string): Promise<KubeApi> {
    if (this.d.connect) return this.d.connect(kubeconfig);
    const { clientNodeApi } = await import('./client-node-api.js');
    return clientNodeApi(kubeconfig);
  }

  async #connect(kubeconfig: string, how: string): Promise<void> {
    const api = await this.#client(kubeconfig);
    this.#api = api;
    this.d.logger.info({ server: api.server, how }, 'following the Kubernetes cluster');
    await this.#watch(api);
    // Joins that were waiting for a cluster can go now.
    for (const n of this.d.store.nodes.listInPhase(['provisioning'])) this.d.kick(n.node_id);
  }

  async #watch(api: KubeApi): Promise<void> {
    this.#stopWatch?.();
    this.#stopWatch = null;
    const restart = (err: Error) => {
      if (this.#stopped || this.#api !== api) return;
      this.d.logger.warn({ err: err.message }, 'Node watch ended; restarting');
      this.#later(() => void this.#watch(api).catch(restart));
    };
    try {
      this.#stopWatch = await api.watchNodes((e) => this.#onNodeEvent(api, e), restart);
    } catch (err) {
      restart(err as Error);
    }
  }

  #onNodeEvent(api: KubeApi, e: NodeWatchEvent): void {
    const name = e.node.name;
    if (e.type === 'DELETED') {
      this.#nodes.delete(name);
      const node = this.d.store.nodes.findByHostname(name);
      if (node && (node.phase === 'joined' || node.phase === 'ready'))
        this.d.setPhase(node.node_id, 'provisioned', 'its Node object was deleted from the cluster');
      return;
    }
    const first = !this.#nodes.has(name);
    this.#nodes.set(name, e.node);
    const node = this.d.store.nodes.findByHostname(name);
    if (!node) return;
    if (first)
      void this.#deleteTokensFor(api, name).catch((err: Error) =>
        this.d.logger.warn({ node: name, err: err.message }, 'could not delete the join token'),
      );
    this.#follow(e.node);
    this.#syncMetadata(e.node);
  }

  /** Phases joined/ready follow the Node, once the node's own plan is done. */
  #follow(kn: KubeNode): void {
    const node = this.d.store.nodes.findByHostname(kn.name);
    if (!node || !['provisioned', 'joined', 'ready'].includes(node.phase)) return;
    const ready = readyCondition(kn)?.status === 'True';
    const phase: NodePhase = ready ? 'ready' : 'joined';
    const reason = ready ? `Node ${kn.name} is Ready` : notReadyReason(kn);
    if (node.phase !== phase || node.reason !== reason) this.d.setPhase(node.node_id, phase, reason);
  }

  #syncMetadata(kn: KubeNode): void {
    const api = this.#api;
    const node = this.d.store.nodes.findByHostname(kn.name);
    if (!api || !node) return;
    const inv = this.d.inventory();
    const entry = inv.nodes.find((n) => n.hostname === kn.name);
    const patch = metadataPatch(kn, desiredMetadata(inv, entry));
    if (!patch) return;
    api
      .patchNode(kn.name, patch)
      .catch((err: Error) =>
        this.d.logger.warn({ node: kn.name, err: err.message }, 'could not apply labels and taints'),
      );
  }

  #later(fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      if (!this.#stopped) fn();
    }, this.d.retryMs ?? 2_000);
    t.unref();
    this.#timers.add(t);
  }
}
