import { type Inventory, inventorySchema, stepSchema } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { planFor } from '../../src/provisioning/planner.js';

const inventory: Inventory = inventorySchema.parse({
  cluster: { name: 'lab', controlPlaneEndpoint: '10.0.10.10:6443' },
  defaults: {
    network: { interface: 'eth0', prefix: 24, gateway: '10.0.10.1', dns: ['10.0.10.1'] },
    labels: { zone: 'a' },
  },
  bootstrap: {
    scripts: [{ path: 'setup.sh' }, { path: 'cp-only.sh', roles: ['control-plane'], timeoutSec: 60 }],
  },
  nodes: [
    { mac: 'dc:a6:32:00:00:0a', hostname: 'cp-01', role: 'control-plane', ip: '10.0.10.10' },
    {
      mac: 'dc:a6:32:00:00:0b',
      hostname: 'w-01',
      role: 'worker',
      ip: '10.0.10.11/16',
      network: { interface: 'end0', stack: 'networkd' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    },
    { serial: '10000000000000a3', hostname: 'w-02', role: 'worker' },
  ],
});
const bootstrap = { repo: 'http://10.0.10.2:8080/bootstrap.git', commit: 'c'.repeat(40) };
const target = (i: number) => {
  const entry = inventory.nodes[i]!;
  return { hostname: entry.hostname, role: entry.role, entry, by: 'mac' as const };
};

describe('planFor', () => {
  it('plans hostname, network, role scripts and the provisioned mark for a control-plane node', () => {
    const plan = planFor({ runId: 'run-1', nodeId: 'pi-1', target: target(0), inventory, bootstrap });
    expect(plan.map((s) => s.kind)).toEqual([
      'set-hostname',
      'configure-network',
      'run-script',
      'run-script',
      'mark-provisioned',
    ]);
    expect(plan[1]).toEqual({
      kind: 'configure-network',
      interface: 'eth0',
      address: '10.0.10.10/24',
      gateway: '10.0.10.1',
      dns: ['10.0.10.1'],
      stack: 'auto',
      timeoutSec: 60,
    });
    expect(plan[3]).toMatchObject({
      kind: 'run-script',
      script: 'cp-only.sh',
      timeoutSec: 60,
      commit: bootstrap.commit,
    });
    expect(plan[4]).toEqual({ kind: 'mark-provisioned', runId: 'run-1', timeoutSec: 30 });
  });

  it('uses per-node network overrides, the /prefix of the ip, and role filters', () => {
    const plan = planFor({ runId: 'run-2', nodeId: 'pi-2', target: target(1), inventory, bootstrap });
    expect(
      plan.filter((s) => s.kind === 'run-script').map((s) => s.kind === 'run-script' && s.script),
    ).toEqual(['setup.sh']);
    expect(plan[1]).toMatchObject({ interface: 'end0', address: '10.0.10.11/16', stack: 'networkd' });
    expect(plan[2]).toMatchObject({
      env: {
        OSBUILD_HOSTNAME: 'w-01',
        OSBUILD_ROLE: 'worker',
        OSBUILD_IP: '10.0.10.11',
        OSBUILD_CLUSTER_NAME: 'lab',
        OSBUILD_CONTROL_PLANE_ENDPOINT: '10.0.10.10:6443',
        OSBUILD_NODE_LABELS: 'zone=a',
        OSBUILD_NODE_TAINTS: 'dedicated=gpu:NoSchedule',
      },
    });
  });

  it('skips network configuration for a DHCP node', () => {
    const plan = planFor({ runId: 'run-3', nodeId: 'pi-3', target: target(2), inventory, bootstrap });
    expect(plan.map((s) => s.kind)).toEqual(['set-hostname', 'run-script', 'mark-provisioned']);
  });

  it('is pure and produces only valid steps', () => {
    const a = planFor({ runId: 'r', nodeId: 'n', target: target(0), inventory, bootstrap });
    const b = planFor({ runId: 'r', nodeId: 'n', target: target(0), inventory, bootstrap });
    expect(a).toEqual(b);
    for (const step of a) expect(stepSchema.parse(step)).toEqual(step);
  });
});

describe('planFor with Kubernetes (kube-hooks)', () => {
  const kube = { controlPlaneEndpoint: '10.0.10.10:6443' };
  it('ends the first control plane with prereqs and kubeadm init, the CNI manifest at the pinned commit', () => {
    const plan = planFor({
      runId: 'r',
      nodeId: 'pi-1',
      target: target(0),
      inventory,
      bootstrap,
      kube: { ...kube, mode: 'init' },
    });
    expect(plan.slice(-3).map((s) => s.kind)).toEqual(['kube-prereqs', 'kubeadm-init', 'mark-provisioned']);
    expect(plan.at(-2)).toEqual({
      kind: 'kubeadm-init',
      nodeName: 'cp-01',
      taints: [],
      advertiseAddress: '10.0.10.10',
      clusterName: 'lab',
      controlPlaneEndpoint: '10.0.10.10:6443',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/12',
      certSANs: [],
      cniManifest: 'manifests/flannel.yaml',
      repo: bootstrap.repo,
      commit: bootstrap.commit,
      timeoutSec: 900,
    });
  });

  it('ends a worker with prereqs and a join that carries no secret, with its taints', () => {
    const plan = planFor({
      runId: 'r',
      nodeId: 'pi-2',
      target: target(1),
      inventory,
      bootstrap,
      kube: { ...kube, mode: 'join' },
    });
    const join = plan.at(-2);
    expect(join).toEqual({
      kind: 'kubeadm-join',
      nodeName: 'w-01',
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
      advertiseAddress: '10.0.10.11',
      apiServerEndpoint: '10.0.10.10:6443',
      controlPlane: false,
      timeoutSec: 600,
    });
    expect(stepSchema.parse(join)).toEqual(join);
    expect(JSON.stringify(plan)).not.toMatch(/token|certificateKey/);
  });

  it('plans no Kubernetes steps without a kube plan', () => {
    const plan = planFor({ runId: 'r', nodeId: 'pi-2', target: target(1), inventory, bootstrap, kube: null });
    expect(plan.some((s) => s.kind.startsWith('kube'))).toBe(false);
  });
});
