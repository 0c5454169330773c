import { inventorySchema } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import type { KubeNode } from '../../src/kubernetes/kube-api.js';
import {
  desiredMetadata,
  MANAGED_LABELS,
  MANAGED_TAINTS,
  metadataPatch,
  notReadyReason,
} from '../../src/kubernetes/node-sync.js';

const node = (over: Partial<KubeNode> = {}): KubeNode => ({
  name: 'w-01',
  labels: { 'kubernetes.io/hostname': 'w-01' },
  annotations: {},
  taints: [],
  unschedulable: false,
  conditions: [],
  controlPlane: false,
  ...over,
});

describe('labels and taints from nodes.yaml (pure)', () => {
  const inv = inventorySchema.parse({
    defaults: { labels: { site: 'lab' }, taints: [{ key: 'a', effect: 'NoSchedule' }] },
    nodes: [
      { mac: 'dc:a6:32:00:00:01', hostname: 'w-01', role: 'worker', labels: { rack: 'b', site: 'home' } },
    ],
  });

  it('merges defaults and the node entry, node values winning', () => {
    expect(desiredMetadata(inv, inv.nodes[0])).toEqual({
      labels: { site: 'home', rack: 'b' },
      taints: [{ key: 'a', effect: 'NoSchedule' }],
    });
  });

  it('adds what is missing and records what it manages; nothing when in sync', () => {
    const want = desiredMetadata(inv, inv.nodes[0]);
    const patch = metadataPatch(node({ taints: [{ key: 'kubeadm', effect: 'NoSchedule' }] }), want);
    expect(patch).toEqual({
      metadata: {
        labels: { site: 'home', rack: 'b' },
        annotations: { [MANAGED_LABELS]: 'rack,site', [MANAGED_TAINTS]: 'a:NoSchedule' },
      },
      spec: {
        taints: [
          { key: 'kubeadm', effect: 'NoSchedule' },
          { key: 'a', effect: 'NoSchedule' },
        ],
      },
    });
    const synced = node({
      labels: { 'kubernetes.io/hostname': 'w-01', site: 'home', rack: 'b' },
      annotations: { [MANAGED_LABELS]: 'rack,site', [MANAGED_TAINTS]: 'a:NoSchedule' },
      taints: [
        { key: 'kubeadm', effect: 'NoSchedule' },
        { key: 'a', effect: 'NoSchedule' },
      ],
    });
    expect(metadataPatch(synced, want)).toBeNull();
  });

  it('removes labels and taints it set once nodes.yaml drops them, leaving others alone', () => {
    const n = node({
      labels: { 'kubernetes.io/hostname': 'w-01', site: 'home', rack: 'b', manual: 'x' },
      annotations: { [MANAGED_LABELS]: 'rack,site', [MANAGED_TAINTS]: 'a:NoSchedule' },
      taints: [
        { key: 'a', effect: 'NoSchedule' },
        { key: 'manual', effect: 'NoExecute' },
      ],
    });
    expect(metadataPatch(n, { labels: { site: 'home' }, taints: [] })).toEqual({
      metadata: { labels: { rack: null }, annotations: { [MANAGED_LABELS]: 'site', [MANAGED_TAINTS]: '' } },
      spec: { taints: [{ key: 'manual', effect: 'NoExecute' }] },
    });
  });

  it('explains a Node that is not Ready from its conditions', () => {
    expect(notReadyReason(node())).toBe(
      'Node w-01 has not reported a Ready condition yet (kubelet starting?)',
    );
    expect(
      notReadyReason(
        node({
          conditions: [
            { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory' },
            {
              type: 'Ready',
              status: 'Unknown',
              reason: 'NodeStatusUnknown',
              message: 'Kubelet stopped posting node status.',
            },
          ],
        }),
      ),
    ).toBe(
      'Node w-01 is not Ready: MemoryPressure=True (KubeletHasInsufficientMemory); Ready=Unknown (NodeStatusUnknown): Kubelet stopped posting node status.',
    );
  });
});
