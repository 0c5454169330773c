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
