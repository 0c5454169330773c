// The Node watch moves phases through the phase owner (lifecycle/node-phase.ts), with a
// hand-written KubeApi.
import { inventorySchema, type NodePhase } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { KubeApi, KubeNode, NodeWatchEvent } from '../../src/kubernetes/kube-api.js';
import type { KubeNodeRecord } from '../../src/kubernetes/node-records.js';
import { NodeWatch } from '../../src/kubernetes/node-watch.js';
import { RetryTimers } from '../../src/kubernetes/retry-timers.js';
import { NodePhases } from '../../src/lifecycle/node-phase.js';

const kubeNode = (name: string, ready: boolean): KubeNode => ({
  name,
  labels: {},
  annotations: {},
  taints: [],
  unschedulable: false,
  conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', reason: 'KubeletNotReady' }],
  controlPlane: false,
});

/** A KubeApi that only watches: events are pushed by the test, each watch call is counted. */
function watchingApi() {
  const state = {
    watches: 0,
    emit: (_e: NodeWatchEvent) => {},
    fail: (_err: Error) => {},
    patches: [] as string[],
  };
  const none = () => Promise.reject(new Error('not in this test'));
  const api: KubeApi = {
    server: 'https://127.0.0.1:6443',
    caPem: '',
    createSecret: none,
    deleteSecret: none,
    listBootstrapTokens: async () => [],
    listNodes: async () => [],
    async watchNodes(onEvent, onError) {
      state.watches += 1;
      state.emit = onEvent;
      state.fail = onError;
      return () => {};
    },
    patchNode: async (name) => {
      state.patches.push(name);
    },
    deleteNode: none,
    listPodsOnNode: none,
    evictPod: none,
  };
  return { api, state };
}

function setUp(phase: NodePhase) {
  const { api, state } = watchingApi();
  const node: KubeNodeRecord = { nodeId: 'n-1', hostname: 'w-01', phase, reason: '', online: true };
  // The real phase owner over in-memory records: an illegal move would throw here.
  const moves: string[] = [];
  const phases = new NodePhases({
    records: {
      nodes: {
        get: () => node,
        setPhase: (_id, to, reason) => Object.assign(node, { phase: to, reason }),
      },
      events: {
        append: (nodeId, _type, data) => moves.push(`${nodeId} ${data.from} -> ${data.to}: ${data.reason}`),
      },
      tx: (fn) => fn(),
    },
    clock: { now: () => new Date('2026-12-01T00:00:00Z') },
    logger: pino({ level: 'silent' }),
  });
  const retries = new RetryTimers(1);
  const watch = new NodeWatch({
    api: () => api,
    records: { nodeByHostname: (h) => (h === 'w-01' ? node : undefined) },
    phases,
    inventory: () => inventorySchema.parse({ nodes: [] }),
    tokens: { revokeFor: async () => 0 },
    retries,
    logger: pino({ level: 'silent' }),
  });
  return { api, state, watch, moves, retries };
}

describe('NodeWatch', () => {
  it('moves a provisioned node to ready, joined and back to provisioned as its Node changes', async () => {
    const { api, state, watch, moves } = setUp('provisioned');
    await watch.start(api);
    state.emit({ type: 'ADDED', node: kubeNode('w-01', true) });
    state.emit({ type: 'MODIFIED', node: kubeNode('w-01', true) });
    state.emit({ type: 'MODIFIED', node: kubeNode('w-01', false) });
    state.emit({ type: 'DELETED', node: kubeNode('w-01', false) });
    expect(moves).toEqual([
      'n-1 provisioned -> ready: Node w-01 is Ready',
      'n-1 ready -> joined: Node w-01 is not Ready: Ready=False (KubeletNotReady)',
      'n-1 joined -> provisioned: its Node object was deleted from the cluster',
    ]);
    expect(watch.node('w-01')).toBeUndefined();
  });

  it('leaves a node whose plan is still running alone until followPhase', async () => {
    const { api, state, watch, moves } = setUp('provisioning');
    await watch.start(api);
    state.emit({ type: 'ADDED', node: kubeNode('w-01', true) });
    expect(moves).toEqual([]);
    expect(watch.nodes().map((n) => n.name)).toEqual(['w-01']);
  });

  it('restarts a broken watch after the retry delay, but not once stopped', async () => {
    const { api, state, watch, retries } = setUp('provisioned');
    await watch.start(api);
    state.fail(new Error('stream reset'));
    await new Promise((r) => setTimeout(r, 20));
    expect(state.watches).toBe(2);
    retries.stop();
    watch.stop();
    state.fail(new Error('stream reset'));
    await new Promise((r) => setTimeout(r, 20));
    expect(state.watches).toBe(2);
  });
});
