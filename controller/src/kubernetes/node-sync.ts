import type { Inventory, InventoryNode } from '@osbuild/shared';
import type { KubeNode } from './kube-api.js';

/** Annotations recording which labels and taints came from nodes.yaml, so removals can be synced. */
export const MANAGED_LABELS = 'osbuild.dev/managed-labels';
export const MANAGED_TAINTS = 'osbuild.dev/managed-taints';

type Taint = KubeNode['taints'][number];
const taintKey = (t: { key: string; effect: string }) => `${t.key}:${t.effect}`;

/** Labels and taints nodes.yaml wants on one node (defaults, then the node's own). */
export function desiredMetadata(
  inventory: Inventory,
  entry: InventoryNode | undefined,
): { labels: Record<string, string>; taints: Taint[] } {
  const labels = { ...inventory.defaults.labels, ...entry?.labels };
  const byKey = new Map<string, Taint>();
  for (const t of [...inventory.defaults.taints, ...(entry?.taints ?? [])])
    byKey.set(taintKey(t), {
      key: t.key,
      effect: t.effect,
      ...(t.value !== undefined ? { value: t.value } : {}),
    });
  return { labels, taints: [...byKey.values()] };
}

/**
 * The JSON merge patch that brings a Node's labels and taints in line with nodes.yaml, or null when
 * it already is. Labels and taints the controller did not set (kubeadm's, the operator's) are left
 * alone; ones it set before and nodes.yaml no longer has are removed. Pure.
 */
export function metadataPatch(
  node: KubeNode,
  desired: { labels: Record<string, string>; taints: Taint[] },
): Record<string, unknown> | null {
  const split = (s: string | undefined) => new Set((s ?? '').split(',').filter(Boolean));
  const prevLabels = split(node.annotations[MANAGED_LABELS]);
  const prevTaints = split(node.annotations[MANAGED_TAINTS]);
  const labelPatch: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(desired.labels)) if (node.labels[k] !== v) labelPatch[k] = v;
  for (const k of prevLabels) if (!(k in desired.labels) && k in node.labels) labelPatch[k] = null;

  const wanted = new Set(desired.taints.map(taintKey));
  const kept = node.taints.filter((t) => !prevTaints.has(taintKey(t)) && !wanted.has(taintKey(t)));
  const taints = [...kept, ...desired.taints];
  const same = (a: Taint[], b: Taint[]) =>
    a.length === b.length &&
    a.every((t) => b.some((u) => taintKey(u) === taintKey(t) && (u.value ?? '') === (t.value ?? '')));
  const labelsKey = Object.keys(desired.labels).sort().join(',');
  const taintsKey = [...wanted].sort().join(',');
  const annotationsChanged =
    (node.annotations[MANAGED_LABELS] ?? '') !== labelsKey ||
    (node.annotations[MANAGED_TAINTS] ?? '') !== taintsKey;
  const taintsChanged = !same(taints, node.taints);
  if (Object.keys(labelPatch).length === 0 && !taintsChanged && !annotationsChanged) return null;
  return {
    metadata: {
      ...(Object.keys(labelPatch).length > 0 ? { labels: labelPatch } : {}),
      annotations: { [MANAGED_LABELS]: labelsKey, [MANAGED_TAINTS]: taintsKey },
    },
    ...(taintsChanged ? { spec: { taints } } : {}),
  };
}

/** `Ready` condition of a Node, if reported. */
export function readyCondition(node: KubeNode): KubeNode['conditions'][number] | undefined {
  return node.conditions.find((c) => c.type === 'Ready');
}

/** One sentence on why a joined Node is not Ready, from its conditions. */
export function notReadyReason(node: KubeNode): string {
  const ready = readyCondition(node);
  if (!ready) return `Node ${node.name} has not reported a Ready condition yet (kubelet starting?)`;
  const bad = node.conditions
    .filter((c) => (c.type === 'Ready' ? c.status !== 'True' : c.status === 'True'))
    .map(
      (c) => `${c.type}=${c.status}${c.reason ? ` (${c.reason})` : ''}${c.message ? `: ${c.message}` : ''}`,
    );
  return `Node ${node.name} is not Ready: ${bad.join('; ')}`;
}
