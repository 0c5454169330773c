import type { StepOf, StepSecrets } from '@osbuild/shared';
import { stringify } from 'yaml';

/** kubeadm's config API (Kubernetes 1.31+); https://kubernetes.io/docs/reference/config-api/kubeadm-config.v1beta4/ */
export const KUBEADM_API_VERSION = 'kubeadm.k8s.io/v1beta4';
/** containerd's CRI socket, named explicitly so kubeadm never has to guess. */
export const CRI_SOCKET = 'unix:///var/run/containerd/containerd.sock';

function hostPort(endpoint: string): { host: string; port: number } {
  const [host, port] = endpoint.split(':');
  return { host: host ?? endpoint, port: port ? Number(port) : 6443 };
}

/** InitConfiguration + ClusterConfiguration for the first control plane (holds no secret). */
export function renderInitConfig(step: StepOf<'kubeadm-init'>): string {
  const init = {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'InitConfiguration',
    // kubeadm makes a default 24 h token when none is listed; a short one keeps it harmless, and
    // the controller deletes every token it did not make once it holds the kubeconfig.
    bootstrapTokens: [
      {
        description: 'kubeadm init default; removed by osbuild',
        ttl: '10m0s',
        groups: ['system:bootstrappers:kubeadm:default-node-token'],
        usages: ['signing', 'authentication'],
      },
    ],
    ...(step.advertiseAddress
      ? { localAPIEndpoint: { advertiseAddress: step.advertiseAddress, bindPort: 6443 } }
      : {}),
    nodeRegistration: { name: step.nodeName, criSocket: CRI_SOCKET, taints: step.taints },
  };
  const cluster = {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'ClusterConfiguration',
    clusterName: step.clusterName,
    ...(step.kubernetesVersion ? { kubernetesVersion: step.kubernetesVersion } : {}),
    controlPlaneEndpoint: step.controlPlaneEndpoint,
    networking: { podSubnet: step.podSubnet, serviceSubnet: step.serviceSubnet },
    apiServer: { certSANs: step.certSANs },
  };
  return `${stringify(init)}---\n${stringify(cluster)}`;
}

/** JoinConfiguration with the just-in-time token, CA pin and (control plane) certificate key. */
export function renderJoinConfig(
  step: StepOf<'kubeadm-join'>,
  secrets: Required<Pick<StepSecrets, 'token' | 'caCertHash'>> & StepSecrets,
): string {
  const join = {
    apiVersion: KUBEADM_API_VERSION,
    kind: 'JoinConfiguration',
    discovery: {
      bootstrapToken: {
        apiServerEndpoint: step.apiServerEndpoint,
        token: secrets.token,
        caCertHashes: [secrets.caCertHash],
      },
    },
    nodeRegistration: { name: step.nodeName, criSocket: CRI_SOCKET, taints: step.taints },
    ...(step.controlPlane
      ? {
          controlPlane: {
            ...(step.advertiseAddress
              ? {
                  localAPIEndpoint: {
                    advertiseAddress: step.advertiseAddress,
                    bindPort: hostPort(step.apiServerEndpoint).port,
                  },
                }
              : {}),
            certificateKey: secrets.certificateKey,
          },
        }
      : {}),
  };
  return stringify(join);
}
