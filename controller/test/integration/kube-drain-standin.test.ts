import {
  type StandinKubeApiServer,
  startStandinKubeApiServer,
} from '@osbuild/test-support/standin-kube-apiserver';
import { afterEach, describe, expect, it } from 'vitest';
import { clientNodeApi } from '../../src/kubernetes/client-node-api.js';
import {
  type DisruptionDeps,
  DrainError,
  drainNode,
  kubeDisruption,
  QuorumError,
  removeNode,
} from '../../src/kubernetes/disruption.js';
import type { KubeNode } from '../../src/kubernetes/kube-api.js';

let api: StandinKubeApiServer | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

async function setup() {
  api = await startStandinKubeApiServer();
  const kube = clientNodeApi(api.adminKubeconfig());
  const reports: string[] = [];
  const audits: Array<{ action: string; target: string }> = [];
  const cps: KubeNode[] = [];
  const deps: DisruptionDeps = {
    api: () => kube,
    node: (n) =>
      n === 'w-01' ? ({ name: 'w-01', controlPlane: false } as KubeNode) : cps.find((c) => c.name === n),
    controlPlaneNodes: () => cps,
    runOnHost: async () => undefined,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    report: (m) => reports.push(m),
    audit: (e) => audits.push(e),
  };
  return { kube, deps, reports, audits, cps, standin: api };
}

describe('drain through the eviction API (stand-in kube-apiserver)', () => {
  it('cordons, waits while a PodDisruptionBudget says 429 and reports why, then finishes', async () => {
    const { deps, reports, standin } = await setup();
    await createNode(standin, 'w-01');
    standin.addPod('shop', 'web-1', 'w-01', { app: 'web' });
    standin.addPod('shop', 'worker-1', 'w-01', { app: 'worker' });
    standin.addPdb({
      namespace: 'shop',
      name: 'web-pdb',
      matchLabels: { app: 'web' },
      disruptionsAllowed: 0,
    });
    const drained = drainNode(deps, 'w-01', { deadlineMs: 10_000, pollMs: 50 });
    await waitUntil(() => reports.some((r) => r.startsWith('waiting to evict from w-01')));
    expect(reports.find((r) => r.startsWith('waiting'))).toContain(
      "shop/web-1: Cannot evict pod as it would violate the pod's disruption budget. The disruption budget web-pdb needs more healthy pods",
    );
    expect(standin.node('w-01')?.spec.unschedulable).toBe(true);
    expect(standin.pods().map((p) => p.metadata.name)).toEqual(['web-1']);
    standin.setPdbAllowed('shop', 'web-pdb', 1);
    expect(await drained).toEqual({ evicted: 2 });
    expect(standin.pods()).toEqual([]);
  });

  it('gives up at the deadline naming the blocked pod and its budget', async () => {
    const { deps, standin } = await setup();
    await createNode(standin, 'w-01');
    standin.addPod('db', 'pg-0', 'w-01', { app: 'pg' });
    standin.addPdb({ namespace: 'db', name: 'pg-pdb', matchLabels: { app: 'pg' }, disruptionsAllowed: 0 });
    const err = await drainNode(deps, 'w-01', { deadlineMs: 200, pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrainError);
    expect((err as DrainError).message).toMatch(
      /^drain of w-01 did not finish within 0 s: db\/pg-0: Cannot evict pod/,
    );
    expect(standin.pods()).toHaveLength(1);
  });

  it('on an unreachable node, evicted pods left Terminating do not hold the drain; the Node removal takes them', async () => {
    const { deps, reports, standin } = await setup();
    await createNode(standin, 'w-01');
    standin.unreachable.add('w-01');
    standin.addPod('shop', 'web-1', 'w-01', { app: 'web' });
    standin.addPod('shop', 'web-2', 'w-01', { app: 'web' });
    expect(await drainNode(deps, 'w-01', { deadlineMs: 5_000, pollMs: 50, unreachable: true })).toEqual({
      evicted: 2,
    });
    expect(reports).toContain('drained w-01 (2 pods evicted; 2 left terminating on the unreachable node)');
    expect(standin.pods().map((p) => p.metadata.deletionTimestamp !== undefined)).toEqual([true, true]);
    const evictions = standin.requests.filter((r) => r.path.endsWith('/eviction'));
    expect(evictions).toHaveLength(2);
    await removeNode(deps, 'w-01');
    expect(standin.pods()).toEqual([]);
  });

  it('on a reachable node, a pod stuck Terminating holds the drain to its deadline, evicted only once', async () => {
    const { deps, reports, standin } = await setup();
    await createNode(standin, 'w-01');
    standin.unreachable.add('w-01'); // the kubelet never confirms, although the agent says it is up
    standin.addPod('db', 'pg-0', 'w-01');
    const err = await drainNode(deps, 'w-01', { deadlineMs: 300, pollMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DrainError);
    expect((err as DrainError).message).toBe('drain of w-01 did not finish within 0 s: db/pg-0: terminating');
    expect(reports).toContain('waiting to evict from w-01: db/pg-0: terminating');
    expect(standin.requests.filter((r) => r.path.endsWith('/eviction'))).toHaveLength(1);
  });

  it('force only cordons, and is audited', async () => {
    const { deps, audits, standin } = await setup();
    await createNode(standin, 'w-01');
    standin.addPod('db', 'pg-0', 'w-01');
    expect(await kubeDisruption(deps, 1_000).beforeDisruption('w-01', { force: true })).toBeUndefined();
    expect(standin.node('w-01')?.spec.unschedulable).toBe(true);
    expect(standin.pods()).toHaveLength(1);
    expect(audits).toEqual([
      { action: 'node.drain-skipped', target: 'w-01', result: 'ok', detail: { force: true } },
    ]);
  });

  it('refuses to take down a control plane when etcd would lose quorum, unless forced', async () => {
    const { deps, cps, standin } = await setup();
    await createNode(standin, 'cp-01');
    cps.push(
      { name: 'cp-01', controlPlane: true } as KubeNode,
      { name: 'cp-02', controlPlane: true } as KubeNode,
    );
    const seam = kubeDisruption(deps, 1_000);
    await expect(seam.beforeDisruption('cp-01', { force: false })).rejects.toThrow(
      'taking control plane cp-01 down leaves 1 of 2 etcd members, below quorum (2); use --force to do it anyway',
    );
    await expect(seam.beforeDisruption('cp-01', { force: true })).resolves.toBeUndefined();
    await expect(
      removeNode({ ...deps, controlPlaneNodes: () => [cps[0] as KubeNode] }, 'cp-01'),
    ).rejects.toBeInstanceOf(QuorumError);
  });
});

async function createNode(s: StandinKubeApiServer, name: string) {
  const res = await postJson(s, '/api/v1/nodes', { kind: 'Node', metadata: { name } });
  if (res !== 201) throw new Error(`stand-in refused node ${name}: ${res}`);
}

async function postJson(s: StandinKubeApiServer, path: string, body: unknown): Promise<number> {
  const https = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, s.url),
      {
        method: 'POST',
        ca: s.caPem,
        headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function waitUntil(check: () => boolean, ms = 5_000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
