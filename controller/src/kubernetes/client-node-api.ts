import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Node,
  Watch,
} from '@kubernetes/client-node';
import { z } from 'zod';
import {
  type BootstrapTokenSecret,
  type EvictionResult,
  type KubeApi,
  KubeApiError,
  type KubeNode,
  type KubePod,
} from './kube-api.js';

/** The only module that imports @kubernetes/client-node. */

function toNode(n: V1Node): KubeNode {
  const labels = n.metadata?.labels ?? {};
  return {
    name: n.metadata?.name ?? '',
    labels,
    annotations: n.metadata?.annotations ?? {},
    taints: (n.spec?.taints ?? []).map((t) => ({
      key: t.key,
      effect: t.effect,
      ...(t.value !== undefined ? { value: t.value } : {}),
    })),
    unschedulable: n.spec?.unschedulable === true,
    conditions: (n.status?.conditions ?? []).map((c) => ({
      type: c.type,
      status: c.status,
      ...(c.reason ? { reason: c.reason } : {}),
      ...(c.message ? { message: c.message } : {}),
    })),
    controlPlane: 'node-role.kubernetes.io/control-plane' in labels,
  };
}

/** The `message` of a Kubernetes `Status` body, the only field of an error the controller shows. */
const statusBody = z.object({ message: z.string() });

function apiError(err: unknown): Error {
  if (err instanceof ApiException) {
    const body = typeof err.body === 'string' ? safeJson(err.body) : err.body;
    const parsed = statusBody.safeParse(body);
    return new KubeApiError(err.code, parsed.success ? parsed.data.message : `HTTP ${err.code}`);
  }
  return err instanceof Error ? err : new Error(String(err));
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.slice(0, 200) };
  }
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw apiError(err);
  }
}

/** A {@link KubeApi} for the cluster a kubeconfig (text, never a path in argv) points at. */
export function clientNodeApi(kubeconfig: string): KubeApi {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const caPem = cluster.caData ? Buffer.from(cluster.caData, 'base64').toString('utf8') : '';
  const core = kc.makeApiClient(CoreV1Api);
  const watch = new Watch(kc);
  return {
    server: cluster.server,
    caPem,
    createSecret: (namespace, body) =>
      call(async () => {
        await core.createNamespacedSecret({ namespace, body });
      }),
    deleteSecret: (namespace, name) =>
      call(async () => {
        await core.deleteNamespacedSecret({ namespace, name });
      }),
    listBootstrapTokens: () =>
      call(async () => {
        const list = await core.listNamespacedSecret({
          namespace: 'kube-system',
          fieldSelector: 'type=bootstrap.kubernetes.io/token',
        });
        return list.items.map((s): BootstrapTokenSecret => {
          const data = s.data ?? {};
          const dec = (k: string) => (data[k] ? Buffer.from(data[k], 'base64').toString('utf8') : null);
          return {
            tokenId: dec('token-id') ?? (s.metadata?.name ?? '').replace(/^bootstrap-token-/, ''),
            description: dec('description') ?? '',
            expiration: dec('expiration'),
          };
        });
      }),
    listNodes: () => call(async () => (await core.listNode()).items.map(toNode)),
    async watchNodes(onEvent, onError) {
      const ac = await watch.watch(
        '/api/v1/nodes',
        {},
        (type, obj: V1Node) => {
          if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED')
            onEvent({ type, node: toNode(obj) });
        },
        (err: unknown) => onError(err instanceof Error ? err : new Error(String(err ?? 'watch ended'))),
      );
      return () => ac.abort();
    },
    patchNode: (name, patch) =>
      call(async () => {
        await core.patchNode(
          { name, body: patch },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
      }),
    deleteNode: (name) =>
      call(async () => {
        await core.deleteNode({ name });
      }),
    listPodsOnNode: (name) =>
      call(async () => {
        const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${name}` });
        return list.items.map(
          (p): KubePod => ({
            namespace: p.metadata?.namespace ?? 'default',
            name: p.metadata?.name ?? '',
            daemonSet: (p.metadata?.ownerReferences ?? []).some((o) => o.kind === 'DaemonSet'),
            mirror: 'kubernetes.io/config.mirror' in (p.metadata?.annotations ?? {}),
            terminating: p.metadata?.deletionTimestamp != null,
          }),
        );
      }),
    async evictPod(namespace, name): Promise<EvictionResult> {
      try {
        await core.createNamespacedPodEviction({
          name,
          namespace,
          body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace } },
        });
        return { ok: true };
      } catch (err) {
        const e = apiError(err);
        if (e instanceof KubeApiError && (e.status === 429 || e.status === 404))
          return e.status === 404 ? { ok: true } : { ok: false, status: e.status, message: e.message };
        throw e;
      }
    },
  };
}
