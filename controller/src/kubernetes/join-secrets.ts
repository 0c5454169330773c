import type { CommandResult, Inventory, Step, StepSecrets } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { Prepared } from '../provisioning/kube-hooks.js';
import { bootstrapTokenSecret, caCertHash, newBootstrapToken } from './bootstrap-token.js';
import type { ControlPlaneLock } from './control-plane-lock.js';
import { type KubeApi, KubeApiError, type KubeNode } from './kube-api.js';
import type { KubeRecords } from './node-records.js';
import type { KubeAudit, NodeResume } from './ports.js';
import type { RetryTimers } from './retry-timers.js';
import type { TokenHygiene } from './token-hygiene.js';

/** What join preparation needs. */
export interface JoinSecretsDeps {
  lock: ControlPlaneLock;
  tokens: Pick<TokenHygiene, 'revokeFor'>;
  records: Pick<KubeRecords, 'nodeByHostname' | 'stepOfCommand'>;
  /** Control-plane Nodes as last seen by the watch (who can upload certificates). */
  controlPlaneNodes(): KubeNode[];
  /** Run a one-off step on a node's agent (kubeadm upload-certs). */
  runOnNode(nodeId: string, step: Step): Promise<CommandResult>;
  inventory(): Inventory;
  clock: Clock;
  audit: KubeAudit;
  logger: Logger;
  resume: NodeResume;
  retries: RetryTimers;
}

/**
 * The secrets of each kubeadm join, made just in time for that node and handed to its one
 * command: a bootstrap token of its own (expiring after `tokenTtlMinutes`), the CA pin, and for a
 * control plane a fresh certificate key from a joined control plane. Held in memory only, keyed
 * by the step (`runId/index`) until dispatch and by the command id while it runs (for re-sends);
 * a controller restart makes new ones.
 */
export class JoinSecrets {
  readonly #prepared = new Map<string, StepSecrets>();
  readonly #preparing = new Map<string, string>();
  readonly #inflight = new Map<string, StepSecrets>();

  constructor(private readonly deps: JoinSecretsDeps) {}

  /**
   * May the join at step `key` go out now, and with which secrets? The first ask starts making
   * them and answers "not yet"; the node is resumed once they are there.
   */
  prepare(
    api: KubeApi | null,
    nodeId: string,
    hostname: string,
    controlPlane: boolean,
    key: string,
  ): Prepared {
    if (!api)
      return { ready: false, reason: 'no cluster yet: waiting for the first control plane (kubeadm init)' };
    const made = this.#prepared.get(key);
    if (made) {
      this.#prepared.delete(key);
      return { ready: true, secrets: made };
    }
    const doing = this.#preparing.get(key);
    if (doing) return { ready: false, reason: doing };
    if (controlPlane) {
      const busy = this.deps.lock.blockedFor(nodeId);
      if (busy) return { ready: false, reason: busy };
      this.deps.lock.take(nodeId, key);
    }
    const reason = controlPlane
      ? 'making a join token and asking a control plane for a certificate key'
      : 'making a join token';
    this.#preparing.set(key, reason);
    void this.#make(api, nodeId, hostname, controlPlane, key);
    return { ready: false, reason };
  }

  /** Command `cmdId` went out with these secrets: keep them for re-sends while it runs. */
  dispatched(cmdId: string, secrets: StepSecrets): void {
    this.#inflight.set(cmdId, secrets);
  }

  /** Secrets to re-send a running command with; undefined when a join's are gone (restart), null when it needs none. */
  resend(cmdId: string): StepSecrets | undefined | null {
    const secrets = this.#inflight.get(cmdId);
    if (secrets) return secrets;
    return this.deps.records.stepOfCommand(cmdId)?.kind === 'kubeadm-join' ? undefined : null;
  }

  /** Command `cmdId` has its result: its secrets are not needed any more. */
  settled(cmdId: string): void {
    this.#inflight.delete(cmdId);
  }

  async #make(
    api: KubeApi,
    nodeId: string,
    hostname: string,
    controlPlane: boolean,
    key: string,
  ): Promise<void> {
    try {
      const token = await this.#issueToken(api, nodeId, hostname);
      const secrets: StepSecrets = { token, caCertHash: caCertHash(api.caPem) };
      if (controlPlane) secrets.certificateKey = await this.#certificateKey(nodeId);
      this.#prepared.set(key, secrets);
      this.#preparing.delete(key);
      this.deps.resume.nodeUnblocked(nodeId);
    } catch (err) {
      const message = (err as Error).message;
      this.deps.logger.warn({ nodeId, err: message }, 'could not prepare the join; retrying');
      this.#preparing.set(key, `could not prepare the join (${message}); retrying`);
      this.deps.lock.releaseKey(key);
      this.deps.retries.later(() => {
        this.#preparing.delete(key);
        this.deps.resume.nodeUnblocked(nodeId);
      });
    }
  }

  /** A fresh bootstrap token for `hostname` only, after deleting any older one; the token text. */
  async #issueToken(api: KubeApi, nodeId: string, hostname: string): Promise<string> {
    await this.deps.tokens.revokeFor(api, hostname);
    const ttl = this.deps.inventory().cluster.tokenTtlMinutes;
    let token = newBootstrapToken();
    try {
      await api.createSecret(
        'kube-system',
        bootstrapTokenSecret(token, hostname, ttl, this.deps.clock.now()),
      );
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
      token = newBootstrapToken(); // a token id collision: one more draw
      await api.createSecret(
        'kube-system',
        bootstrapTokenSecret(token, hostname, ttl, this.deps.clock.now()),
      );
    }
    this.deps.audit({
      action: 'secret.issued',
      target: nodeId,
      result: 'ok',
      detail: { kind: 'bootstrap-token', tokenId: token.id, node: hostname, ttlMinutes: ttl },
    });
    return token.token;
  }

  /** A fresh certificate key from a control plane that has joined (never the joining node). */
  async #certificateKey(joiningNodeId: string): Promise<string> {
    const candidates = this.deps
      .controlPlaneNodes()
      .map((kn) => this.deps.records.nodeByHostname(kn.name))
      .filter((n) => n && n.nodeId !== joiningNodeId && n.online);
    const source = candidates[0];
    if (!source) throw new Error('no online control-plane node to run kubeadm upload-certs on');
    const result = await this.deps.runOnNode(source.nodeId, {
      kind: 'kubeadm-upload-certs',
      timeoutSec: 120,
    });
    if (!result.secret || !/^[0-9a-f]{64}$/.test(result.secret))
      throw new Error(`kubeadm upload-certs on ${source.hostname} returned no certificate key`);
    this.deps.audit({
      action: 'secret.issued',
      target: joiningNodeId,
      result: 'ok',
      detail: { kind: 'certificate-key', from: source.hostname },
    });
    return result.secret;
  }
}
