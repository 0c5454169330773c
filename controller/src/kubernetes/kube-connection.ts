import type { Logger } from 'pino';
import type { KubeApi } from './kube-api.js';
import { loadKubeconfig, saveKubeconfig } from './kubeconfig-file.js';
import type { KubeAudit } from './ports.js';

/** What the connection needs. */
export interface KubeConnectionDeps {
  dataDir: string;
  logger: Logger;
  audit: KubeAudit;
  /** Build an API client from kubeconfig text (default: @kubernetes/client-node, loaded lazily). */
  connect?(kubeconfig: string): KubeApi | Promise<KubeApi>;
  /** A client just became the current one: follow the cluster through it. */
  onConnected(api: KubeApi): Promise<void>;
  /** True once the Kubernetes module stopped. */
  stopped(): boolean;
}

/**
 * The one API connection to the cluster the controller manages, from whichever kubeconfig it has:
 * the stored one at start, one adopted (`osbuild cluster adopt` or `serve --kubeconfig`), or the
 * admin kubeconfig kubeadm init returned. Without a cluster there is no client at all.
 */
export class KubeConnection {
  #api: KubeApi | null = null;
  /** A kubeconfig is being read or written here: the adopted-file check must not connect twice. */
  #busy = false;

  constructor(private readonly deps: KubeConnectionDeps) {}

  /** The API client, or null while there is no cluster. */
  get api(): KubeApi | null {
    return this.#api;
  }

  /** Connect to the cluster of the stored kubeconfig, if any. */
  async resumeStored(): Promise<void> {
    const kubeconfig = await loadKubeconfig(this.deps.dataDir);
    if (kubeconfig) await this.#connect(kubeconfig, 'stored kubeconfig');
  }

  /** Take over an existing cluster: check the kubeconfig works, store it 0600, follow the cluster. */
  async adopt(kubeconfig: string): Promise<void> {
    const api = await this.#client(kubeconfig);
    await api.listNodes();
    await saveKubeconfig(this.deps.dataDir, kubeconfig);
    this.deps.audit({ action: 'cluster.adopted', target: api.server, result: 'ok' });
    await this.#connect(kubeconfig, 'adopted');
  }

  /**
   * Pick up a kubeconfig `osbuild cluster adopt` stored while the controller runs (a periodic job;
   * a stat of one file, not an API call). Never rejects.
   */
  async pickUpAdopted(): Promise<void> {
    if (this.#api || this.#busy || this.deps.stopped()) return;
    this.#busy = true;
    try {
      const kubeconfig = await loadKubeconfig(this.deps.dataDir);
      if (kubeconfig && !this.#api) {
        this.deps.audit({ action: 'cluster.adopted', target: 'kubeconfig file', result: 'ok' });
        await this.#connect(kubeconfig, 'adopted (osbuild cluster adopt)');
      }
    } catch (err) {
      this.deps.logger.warn({ err: (err as Error).message }, 'could not use the adopted kubeconfig');
    } finally {
      this.#busy = false;
    }
  }

  /**
   * Store the admin kubeconfig kubeadm init returned (0600, audited, never logged) and connect
   * with it; the client, or null. The adopted-file check stays off from here on: the file being
   * written is this cluster's, not an adopted one.
   */
  async takeFromInit(nodeId: string, kubeconfig: string): Promise<KubeApi | null> {
    this.#busy = true;
    await saveKubeconfig(this.deps.dataDir, kubeconfig);
    this.deps.audit({
      action: 'secret.stored',
      target: nodeId,
      result: 'ok',
      detail: { kind: 'admin-kubeconfig' },
    });
    await this.#connect(kubeconfig, 'kubeadm init');
    return this.#api;
  }

  /**
   * @kubernetes/client-node takes seconds to load on a small machine: import it only once a
   * cluster exists, so the CLI and controllers without Kubernetes start fast.
   */
  async #client(kubeconfig: string): Promise<KubeApi> {
    if (this.deps.connect) return this.deps.connect(kubeconfig);
    const { clientNodeApi } = await import('./client-node-api.js');
    return clientNodeApi(kubeconfig);
  }

  async #connect(kubeconfig: string, how: string): Promise<void> {
    const api = await this.#client(kubeconfig);
    this.#api = api;
    this.deps.logger.info({ server: api.server, how }, 'following the Kubernetes cluster');
    await this.deps.onConnected(api);
  }
}
