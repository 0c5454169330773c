import { describe, expect, it } from 'vitest';
import { cidrsOverlap, parseCidr } from '../../src/inventory/cluster-schema.js';
import { formatInventoryIssue, parseInventory } from '../../src/inventory/load.js';

const NODES = `nodes:
  - mac: "dc:a6:32:00:00:01"
    hostname: cp-01
    role: control-plane
    ip: 10.0.10.10
`;

function issues(text: string): string[] {
  const r = parseInventory(text, 'nodes.yaml');
  return r.ok ? [] : r.issues.map(formatInventoryIssue);
}

describe('cluster section of nodes.yaml', () => {
  it('fills defaults when the section is missing', () => {
    const r = parseInventory(NODES, 'nodes.yaml');
    expect(r.ok && r.inventory.cluster).toEqual({
      kubeadm: false,
      name: 'osbuild',
      podSubnet: '10.244.0.0/16',
      serviceSubnet: '10.96.0.0/12',
      cni: 'flannel',
      certSANs: [],
      tokenTtlMinutes: 30,
    });
  });

  it('accepts a full section and normalises the version', () => {
    const r = parseInventory(
      `cluster:
  kubeadm: true
  name: pi-cluster
  kubernetesVersion: 1.31.2
  controlPlaneEndpoint: k8s.lab.example:6443
  podSubnet: 10.32.0.0/12
  serviceSubnet: 10.96.0.0/16
  cni: cilium
  certSANs: [k8s.lab.example, 10.0.10.5]
  tokenTtlMinutes: 10
${NODES}`,
      'nodes.yaml',
    );
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.inventory.cluster.kubernetesVersion).toBe('v1.31.2');
  });

  it('names file:line:field for each bad value', () => {
    expect(
      issues(`cluster:
  controlPlaneEndpoint: "https://10.0.0.1:6443"
  podSubnet: 10.244.0.0
  cni: weave
  tokenTtlMinutes: 0
${NODES}`),
    ).toEqual([
      'nodes.yaml:2:25: cluster.controlPlaneEndpoint: expected host or host:port, e.g. 10.0.10.10:6443 or k8s.example.lan:6443',
      'nodes.yaml:3:14: cluster.podSubnet: expected an IPv4 CIDR like 10.244.0.0/16',
      'nodes.yaml:4:8: cluster.cni: Invalid option: expected one of "flannel"|"calico"|"cilium"|"none"',
      'nodes.yaml:5:20: cluster.tokenTtlMinutes: Too small: expected number to be >=1',
    ]);
  });

  it('with kubeadm on, refuses overlapping pod and service ranges, and node addresses inside them', () => {
    expect(
      issues(`cluster:
  kubeadm: true
  podSubnet: 10.0.0.0/8
  serviceSubnet: 10.96.0.0/12
${NODES}`),
    ).toEqual([
      'nodes.yaml:4:18: cluster.serviceSubnet: serviceSubnet 10.96.0.0/12 overlaps podSubnet 10.0.0.0/8',
      'nodes.yaml:9:9: nodes[0].ip: 10.0.10.10 is inside cluster.podSubnet 10.0.0.0/8',
    ]);
    expect(
      issues(`cluster:
  kubeadm: true
${NODES.replace('10.0.10.10', '10.100.0.5')}`),
    ).toEqual(['nodes.yaml:7:9: nodes[0].ip: 10.100.0.5 is inside cluster.serviceSubnet 10.96.0.0/12']);
  });

  it('with kubeadm off, accepts node addresses inside the (unused) pod and service ranges', () => {
    // A LAN on 10.100.0.0/16 sits inside the default serviceSubnet 10.96.0.0/12.
    expect(issues(NODES.replace('10.0.10.10', '10.100.0.5'))).toEqual([]);
    expect(
      issues(`cluster:
  kubeadm: false
  podSubnet: 10.0.0.0/16
${NODES.replace('10.0.10.10', '10.0.3.7')}`),
    ).toEqual([]);
    const r = parseInventory(NODES.replace('10.0.10.10', '10.100.0.5'), 'nodes.yaml');
    expect(r.ok && r.inventory.nodes[0]?.ip).toBe('10.100.0.5');
  });

  it('parses and compares CIDRs', () => {
    expect(parseCidr('10.244.1.7/16')).toEqual({ base: (10 * 256 + 244) * 65536, prefix: 16 });
    expect(parseCidr('10.244.0.0')).toBeNull();
    expect(parseCidr('300.1.1.1/8')).toBeNull();
    expect(cidrsOverlap('10.244.0.0/16', '10.96.0.0/12')).toBe(false);
    expect(cidrsOverlap('10.96.0.0/12', '10.100.0.0/16')).toBe(true);
  });
});
