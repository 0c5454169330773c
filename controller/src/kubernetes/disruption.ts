import type { Step } from '@osbuild/shared';
import type { KubeApi, KubeNode } from './kube-api.js';

/**
 * Cordon and drain one Kubernetes Node by name: the Kubernetes half of the commands' Disruption
 * port (operator-commands/ports.ts, the one port reboot and reprovision call), which
 * kubernetes/disruption-adapter.ts builds from this plus the Node removal. `force` skips the drain.
 */
export interface KubeDrain {
  /** `unreachable`: the node's agent is offline, so its kubelet will not stop evicted pods. */
  beforeDisruption(node: string, opts: { force: boolean; unreachable?: boolean }): Promise<void>;
}

/** A drain that could not finish; `blocked` lists each pod still there and why. */
export class DrainError extends Error {
  constructor(
    message: string,
    readonly blocked: string[],
  ) {
    super(message);
    this.name = 'DrainError';
  }
}

/** Refused because it would break etcd quorum (override with force). */
export class QuorumError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuorumError';
  }
}

/** What drain and removal need. */
export interface DisruptionDeps {
  api(): KubeApi | null;
  node(name: string): KubeNode | undefined;
  controlPlaneNodes(): KubeNode[];
  /** Run a step on the agent of the node with this hostname (etcd member removal). */
  runOnHost(hostname: string, step: Step): Promise<void>;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Progress and waiting reasons, for logs and the CLI. */
  report(message: string): void;
  audit(e: {
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
}

/**
 * Cordon, then evict every pod but DaemonSet and mirror pods through the eviction API, which
 * honours PodDisruptionBudgets: a 429 means "not now", so wait and try again until `deadlineMs`,
 * then fail naming each blocked pod and the budget's reason. Evicted pods are waited for until
 * their kubelet has stopped them, except on an `unreachable` node: no kubelet will ever confirm,
 * and they go with the Node object (as `kubectl drain` skips long-terminating pods). `force` only
 * cordons.
 */
export async function drainNode(
  deps: DisruptionDeps,
  name: string,
  opts: { deadlineMs: number; force?: boolean; pollMs?: number; unreachable?: boolean },
): Promise<{ evicted: number }> {
  const api = deps.api();
  if (!api) throw new Error('no cluster is managed: nothing to drain');
  await api.patchNode(name, { spec: { unschedulable: true } });
  deps.report(`cordoned ${name}`);
  if (opts.force) {
    deps.audit({ action: 'node.drain-skipped', target: name, result: 'ok', detail: { force: true } });
    return { evicted: 0 };
  }
  const until = deps.now() + opts.deadlineMs;
  let evicted = 0;
  for (;;) {
    const all = (await api.listPodsOnNode(name)).filter((p) => !p.daemonSet && !p.mirror);
    const pods = opts.unreachable ? all.filter((p) => !p.terminating) : all;
    if (pods.length === 0) {
      const left = all.length > 0 ? `; ${all.length} left terminating on the unreachable node` : '';
      deps.report(`drained ${name} (${evicted} pods evicted${left})`);
      return { evicted };
    }
    const blocked: string[] = [];
    const stopping: string[] = [];
    for (const p of pods) {
      if (p.terminating) {
        stopping.push(`${p.namespace}/${p.name}: terminating`);
        continue;
      }
      const r = await api.evictPod(p.namespace, p.name);
      if (r.ok) evicted++;
      else blocked.push(`${p.namespace}/${p.name}: ${r.message}`);
    }
    // Evictions just accepted: list again at once (a deleted pod is gone, a lingering one waits).
    if (blocked.length === 0 && stopping.length === 0) continue;
    const waiting = [...blocked, ...stopping];
    if (deps.now() >= until)
      throw new DrainError(
        `drain of ${name} did not finish within ${Math.round(opts.deadlineMs / 1000)} s: ${waiting.join('; ')}`,
        waiting,
      );
    deps.report(`waiting to evict from ${name}: ${waiting.join('; ')}`);
    await deps.sleep(opts.pollMs ?? 2_000);
  }
}

/** Refuse taking `name` down when the control planes left would not hold etcd quorum. */
export function checkQuorum(deps: DisruptionDeps, name: string, force: boolean): void {
  const cps = deps.controlPlaneNodes();
  if (!cps.some((n) => n.name === name)) return;
  const members = cps.length;
  const left = members - 1;
  if (left >= Math.floor(members / 2) + 1) return;
  const why = `taking control plane ${name} down leaves ${left} of ${members} etcd members, below quorum (${Math.floor(members / 2) + 1})`;
  if (!force) throw new QuorumError(`${why}; use --force to do it anyway`);
  deps.audit({ action: 'node.quorum-override', target: name, result: 'ok', detail: { members, left } });
}

/**
 * Remove a node from the cluster so it leaves no ghost: for a control plane, its etcd member
 * (through another control plane's agent) first, then the Node object. Refuses to remove the last
 * control plane unless forced.
 */
export async function removeNode(
  deps: DisruptionDeps,
  name: string,
  opts: { force?: boolean } = {},
): Promise<void> {
  const api = deps.api();
  if (!api) throw new Error('no cluster is managed: nothing to remove');
  const node = deps.node(name);
  if (node?.controlPlane) {
    const others = deps.controlPlaneNodes().filter((n) => n.name !== name);
    if (others.length === 0 && !opts.force)
      throw new QuorumError(`${name} is the last control plane; removing it ends the cluster (use --force)`);
    const via = others[0];
    if (via) {
      await deps.runOnHost(via.name, { kind: 'etcd-member-remove', memberName: name, timeoutSec: 120 });
      deps.report(`removed etcd member ${name} via ${via.name}`);
    }
  }
  try {
    await api.deleteNode(name);
  } catch (err) {
    if (!(err instanceof Error && 'status' in err && (err as { status: number }).status === 404)) throw err;
  }
  deps.audit({ action: 'node.removed-from-cluster', target: name, result: 'ok' });
  deps.report(`deleted Node ${name}`);
}

/** The Kubernetes {@link KubeDrain}: quorum check, then cordon and drain (or cordon only with force). */
export function kubeDisruption(deps: DisruptionDeps, drainDeadlineMs: number): KubeDrain {
  return {
    async beforeDisruption(name, { force, unreachable }) {
      if (!deps.api() || !deps.node(name)) return;
      checkQuorum(deps, name, force);
      await drainNode(deps, name, {
        deadlineMs: drainDeadlineMs,
        force,
        ...(unreachable ? { unreachable: true } : {}),
      });
    },
  };
}
