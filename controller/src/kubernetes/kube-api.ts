/** The Node fields the controller reads. */
export interface KubeNode {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Array<{ key: string; value?: string; effect: string }>;
  unschedulable: boolean;
  conditions: Array<{ type: string; status: string; reason?: string; message?: string }>;
  controlPlane: boolean;
}

/** A pod on a node, as drain needs it. */
export interface KubePod {
  namespace: string;
  name: string;
  /** DaemonSet pods are not evicted (their controller would recreate them at once). */
  daemonSet: boolean;
  /** Mirror (static) pods cannot be evicted through the API. */
  mirror: boolean;
  /** Deletion under way (deletionTimestamp set): evicted, waiting for the kubelet to stop it. */
  terminating: boolean;
}

/** A bootstrap token Secret as kube-system holds it. */
export interface BootstrapTokenSecret {
  tokenId: string;
  description: string;
  expiration: string | null;
}

/** Change to a Node seen by the watch. */
export type NodeWatchEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED'; node: KubeNode };

/** Why an eviction was refused: 429 is a PodDisruptionBudget saying not now. */
export type EvictionResult = { ok: true } | { ok: false; status: number; message: string };

/**
 * The narrow slice of the Kubernetes API the controller uses: the port between the cluster logic
 * and @kubernetes/client-node (client-node-api.ts), so the logic is tested against a stand-in API
 * server with the same production adapter.
 */
export interface KubeApi {
  /** `server` of the kubeconfig, for status output. */
  readonly server: string;
  /** PEM of the cluster CA, from the kubeconfig (what nodes pin with the CA hash). */
  readonly caPem: string;
  createSecret(namespace: string, body: Record<string, unknown>): Promise<void>;
  deleteSecret(namespace: string, name: string): Promise<void>;
  listBootstrapTokens(): Promise<BootstrapTokenSecret[]>;
  listNodes(): Promise<KubeNode[]>;
  /** Watch Nodes until the returned function is called; `onError` when the stream ends. */
  watchNodes(onEvent: (e: NodeWatchEvent) => void, onError: (err: Error) => void): Promise<() => void>;
  /** JSON merge patch of a Node. */
  patchNode(name: string, patch: Record<string, unknown>): Promise<void>;
  deleteNode(name: string): Promise<void>;
  listPodsOnNode(name: string): Promise<KubePod[]>;
  evictPod(namespace: string, name: string): Promise<EvictionResult>;
}

/** Error from the API with its HTTP status (404, 409, ...). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }
}

/** A 404 from the API. */
export function isNotFound(err: unknown): boolean {
  return err instanceof KubeApiError && err.status === 404;
}
