import { z } from 'zod';
import { LIST_MAX, NAME_MAX, PATH_MAX, URL_MAX } from './limits.js';

const timeoutSec = (seconds: number) =>
  z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .default(seconds)
    .describe('Seconds the step may run before the agent kills it and reports `timed-out`.');
const nodeName = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/)
  .describe('Kubernetes node name (an RFC 1123 subdomain), the inventory hostname.');
const taint = z
  .object({
    key: z.string().min(1).max(NAME_MAX).describe('Taint key, e.g. node-role.kubernetes.io/control-plane.'),
    value: z.string().max(NAME_MAX).optional().describe('Taint value.'),
    effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).describe('Taint effect.'),
  })
  .describe('A Kubernetes taint as kubeadm takes it.');
const taints = z.array(taint).max(LIST_MAX).default([]).describe('Taints the node registers with.');
const advertiseAddress = z
  .string()
  .max(NAME_MAX)
  .optional()
  .describe('Address the API server (or kubelet) advertises: the node’s static IP when it has one.');

/**
 * Check what kubeadm needs before it runs (cgroup memory controller, swap off, modules, ip_forward,
 * containerd with SystemdCgroup, and off-NFS container state on a netboot node), so a node fails
 * with a precise reason instead of a kubeadm preflight error later.
 */
export const kubePrereqsStep = z
  .object({
    kind: z.literal('kube-prereqs').describe('Check kubeadm’s prerequisites.'),
    timeoutSec: timeoutSec(60),
  })
  .describe(
    'Check cgroup memory, swap off, br_netfilter/overlay, ip_forward, containerd with SystemdCgroup, ' +
      'and off-NFS container state on a netboot node.',
  );

/** Initialise the first control plane: `kubeadm init --config FILE`, then apply the CNI manifest. */
export const kubeadmInitStep = z
  .object({
    kind: z.literal('kubeadm-init').describe('Initialise the first control plane.'),
    nodeName,
    clusterName: z.string().min(1).max(NAME_MAX).describe('Cluster name (inventory cluster.name).'),
    kubernetesVersion: z
      .string()
      .max(NAME_MAX)
      .optional()
      .describe('Kubernetes version for kubeadm, e.g. v1.31.2; kubeadm’s own when omitted.'),
    controlPlaneEndpoint: z
      .string()
      .min(1)
      .max(NAME_MAX)
      .describe('host:port every node reaches the API server at.'),
    advertiseAddress,
    podSubnet: z.string().min(1).max(NAME_MAX).describe('Pod network CIDR, e.g. 10.244.0.0/16.'),
    serviceSubnet: z.string().min(1).max(NAME_MAX).describe('Service network CIDR, e.g. 10.96.0.0/12.'),
    certSANs: z
      .array(z.string().max(NAME_MAX))
      .max(LIST_MAX)
      .default([])
      .describe('Extra names and addresses in the API server certificate.'),
    taints,
    /** Manifest of the CNI inside the bootstrap repo at `commit`; omitted for cni `none`. */
    cniManifest: z
      .string()
      .max(PATH_MAX)
      .optional()
      .describe('Path of the CNI manifest inside the bootstrap repo at `commit`; omitted for cni `none`.'),
    repo: z.string().min(1).max(URL_MAX).describe('Git URL of the bootstrap repo.'),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .describe('Full commit id (40 lowercase hex) of the bootstrap repo.'),
    timeoutSec: timeoutSec(900),
  })
  .describe(
    '`kubeadm init --config` (InitConfiguration and ClusterConfiguration written 0600), then ' +
      '`kubectl apply` of the CNI manifest; the result’s `secret` is the admin kubeconfig.',
  );

/**
 * Join the cluster: `kubeadm join --config FILE`. The token, CA hash and (control plane) certificate
 * key are not part of the step: they arrive in the command's `secrets`, made just in time.
 */
export const kubeadmJoinStep = z
  .object({
    kind: z.literal('kubeadm-join').describe('Join the cluster.'),
    nodeName,
    /** host:port of the API server (kubeadm `discovery.bootstrapToken.apiServerEndpoint`). */
    apiServerEndpoint: z
      .string()
      .min(1)
      .max(NAME_MAX)
      .describe('host:port of the API server (kubeadm discovery.bootstrapToken.apiServerEndpoint).'),
    controlPlane: z.boolean().default(false).describe('Join as a further control plane.'),
    advertiseAddress,
    taints,
    timeoutSec: timeoutSec(600),
  })
  .describe(
    '`kubeadm join --config` (JoinConfiguration written 0600, deleted afterwards); the token, CA ' +
      'hash and certificate key arrive in the command’s `secrets`.',
  );

/** On a control plane: `kubeadm init phase upload-certs --upload-certs`; the key is the secret result. */
export const kubeadmUploadCertsStep = z
  .object({
    kind: z.literal('kubeadm-upload-certs').describe('Upload the control-plane certificates.'),
    timeoutSec: timeoutSec(120),
  })
  .describe(
    'On a control plane: `kubeadm init phase upload-certs --upload-certs`; the result’s `secret` ' +
      'is the certificate key.',
  );

/** On a control plane: remove another control plane's etcd member by name (etcdctl). */
export const etcdMemberRemoveStep = z
  .object({
    kind: z.literal('etcd-member-remove').describe('Remove an etcd member.'),
    memberName: nodeName.describe('Name of the etcd member (the removed control plane’s node name).'),
    timeoutSec: timeoutSec(120),
  })
  .describe('On a control plane: `etcdctl member list`, then `member remove` of the named member.');

/** Bootstrap token as kubeadm takes it: `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}). */
export const bootstrapToken = z
  .string()
  .regex(/^[a-z0-9]{6}\.[a-z0-9]{16}$/, 'expected a kubeadm token')
  .describe('kubeadm bootstrap token `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}).');
/** Discovery CA pin: `sha256:` and the hex SHA-256 of the CA's SubjectPublicKeyInfo. */
export const caCertHash = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>')
  .describe('Discovery CA pin: `sha256:` and the hex SHA-256 of the CA’s SubjectPublicKeyInfo.');

/**
 * Secrets a step needs, made just in time by the controller and carried only in the command on the
 * node's own `cmd` topic: never in the stored plan, the journal, logs or events.
 */
export const stepSecrets = z
  .strictObject({
    token: bootstrapToken.optional(),
    caCertHash: caCertHash.optional(),
    /** kubeadm certificate key (64 hex) for a further control plane. */
    certificateKey: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional()
      .describe('kubeadm certificate key (64 lowercase hex) for a further control plane.'),
  })
  .describe(
    'Just-in-time secrets of a kubeadm-join command, only on the node’s own cmd topic: never stored ' +
      'in the plan, the agent’s journal, logs or events.',
  );
/** Inferred {@link stepSecrets}. */
export type StepSecrets = z.infer<typeof stepSecrets>;

/** Step kinds whose result `secret` is sensitive or whose command carries {@link stepSecrets}. */
export const SECRET_STEP_KINDS = ['kubeadm-init', 'kubeadm-join', 'kubeadm-upload-certs'] as const;
