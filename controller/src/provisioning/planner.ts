import type { Inventory, Step } from '@osbuild/shared';
import type { KubePlan } from './kube-hooks.js';
import type { MatchTarget } from './matcher.js';

/** Where the node fetches bootstrap scripts: a git URL it can reach and a pinned commit. */
export interface BootstrapSource {
  repo: string;
  commit: string;
}

/** Everything a plan depends on; the planner itself reads nothing else. */
export interface PlanInput {
  runId: string;
  nodeId: string;
  target: MatchTarget;
  inventory: Inventory;
  bootstrap: BootstrapSource;
  /** Whether and how the node reaches Kubernetes (kube-hooks.ts); omitted: no kubeadm steps. */
  kube?: KubePlan | null;
}

/**
 * The ordered steps that turn a fresh board into a provisioned node of its role. Pure: the same
 * input always gives the same plan, so a plan can be recomputed and compared, and tested alone.
 */
export function planFor(input: PlanInput): Step[] {
  const { target, inventory, bootstrap } = input;
  const entry = target.entry;
  const net = { ...inventory.defaults.network, ...entry?.network };
  const labels = { ...inventory.defaults.labels, ...entry?.labels };
  const taints = [...inventory.defaults.taints, ...(entry?.taints ?? [])];

  const steps: Step[] = [{ kind: 'set-hostname', hostname: target.hostname, timeoutSec: 30 }];

  if (entry?.ip) {
    const [address, ownPrefix] = entry.ip.split('/');
    steps.push({
      kind: 'configure-network',
      interface: net.interface ?? 'eth0',
      address: `${address}/${ownPrefix ?? net.prefix ?? 24}`,
      ...(net.gateway ? { gateway: net.gateway } : {}),
      dns: net.dns ?? [],
      stack: net.stack ?? 'auto',
      timeoutSec: 60,
    });
  }

  // Scripts see the node's place in the cluster as environment, never secrets (those arrive
  // just in time in later steps and never touch the journal).
  const env: Record<string, string> = {
    OSBUILD_HOSTNAME: target.hostname,
    OSBUILD_ROLE: target.role,
    OSBUILD_CLUSTER_NAME: inventory.cluster.name,
    OSBUILD_NODE_LABELS: Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
    OSBUILD_NODE_TAINTS: taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(','),
  };
  if (entry?.ip) env.OSBUILD_IP = entry.ip.split('/')[0] ?? '';
  if (inventory.cluster.controlPlaneEndpoint)
    env.OSBUILD_CONTROL_PLANE_ENDPOINT = inventory.cluster.controlPlaneEndpoint;

  for (const script of inventory.bootstrap.scripts) {
    if (script.roles && !script.roles.includes(target.role)) continue;
    steps.push({
      kind: 'run-script',
      repo: bootstrap.repo,
      commit: bootstrap.commit,
      script: script.path,
      args: script.args,
      env,
      timeoutSec: script.timeoutSec ?? 900,
    });
  }

  if (input.kube) steps.push(...kubeSteps(input.kube, target, inventory, bootstrap, taints));

  steps.push({ kind: 'mark-provisioned', runId: input.runId, timeoutSec: 30 });
  return steps;
}

/** Prerequisites check, then kubeadm init (the first control plane) or join. */
function kubeSteps(
  kube: KubePlan,
  target: MatchTarget,
  inventory: Inventory,
  bootstrap: BootstrapSource,
  taints: Inventory['defaults']['taints'],
): Step[] {
  const c = inventory.cluster;
  const advertiseAddress = target.entry?.ip?.split('/')[0];
  const common = {
    nodeName: target.hostname,
    taints,
    ...(advertiseAddress ? { advertiseAddress } : {}),
  };
  const prereqs: Step = { kind: 'kube-prereqs', timeoutSec: 60 };
  if (kube.mode === 'init')
    return [
      prereqs,
      {
        kind: 'kubeadm-init',
        ...common,
        clusterName: c.name,
        ...(c.kubernetesVersion ? { kubernetesVersion: c.kubernetesVersion } : {}),
        controlPlaneEndpoint: kube.controlPlaneEndpoint,
        podSubnet: c.podSubnet,
        serviceSubnet: c.serviceSubnet,
        certSANs: c.certSANs,
        ...(c.cni !== 'none' ? { cniManifest: `manifests/${c.cni}.yaml` } : {}),
        repo: bootstrap.repo,
        commit: bootstrap.commit,
        timeoutSec: 900,
      },
    ];
  return [
    prereqs,
    {
      kind: 'kubeadm-join',
      ...common,
      apiServerEndpoint: kube.controlPlaneEndpoint,
      controlPlane: target.role === 'control-plane',
      timeoutSec: 600,
    },
  ];
}
