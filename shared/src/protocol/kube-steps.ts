import { z } from 'zod';

const timeoutSec = z
  .number()
  .int()
  .positive()
  .max(24 * 3600);
const nodeName = z.string().regex(/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/);
const taint = z.object({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

/**
 * Check what kubeadm needs before it runs (cgroup memory controller, swap off, modules, ip_forward,
 * containerd with SystemdCgroup, and off-NFS container state on a netboot node), so a node fails
 * with a precise reason instead of a kubeadm preflight error later.
 */
export const kubePrereqsStep = z.object({
  kind: z.literal('kube-prereqs'),
  timeoutSec: timeoutSec.default(60),
});

/** Initialise the first control plane: `kubeadm init --config FILE`, then apply the CNI manifest. */
export const kubeadmInitStep = z.object({
  kind: z.literal('kubeadm-init'),
  nodeName,
  clusterName: z.string().min(1),
  kubernetesVersion: z.string().optional(),
  controlPlaneEndpoint: z.string().min(1),
  advertiseAddress: z.string().optional(),
  podSubnet: z.string().min(1),
  serviceSubnet: z.string().min(1),
  certSANs: z.array(z.string()).default([]),
  taints: z.array(taint).default([]),
  /** Manifest of the CNI inside the bootstrap repo at `commit`; omitted for cni `none`. */
  cniManifest: z.string().optional(),
  repo: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  timeoutSec: timeoutSec.default(900),
});

/**
 * Join the cluster: `kubeadm join --config FILE`. The token, CA hash and (control plane) certificate
 * key are not part of the step: they arrive in the command's `secrets`, made just in time.
 */
export const kubeadmJoinStep = z.object({
  kind: z.literal('kubeadm-join'),
  nodeName,
  /** host:port of the API server (kubeadm `discovery.bootstrapToken.apiServerEndpoint`). */
  apiServerEndpoint: z.string().min(1),
  controlPlane: z.boolean().default(false),
  advertiseAddress: z.string().optional(),
  taints: z.array(taint).default([]),
  timeoutSec: timeoutSec.default(600),
});

/** On a control plane: `kubeadm init phase upload-certs --upload-certs`; the key is the secret result. */
export const kubeadmUploadCertsStep = z.object({
  kind: z.literal('kubeadm-upload-certs'),
  timeoutSec: timeoutSec.default(120),
});

/** On a control plane: remove another control plane's etcd member by name (etcdctl). */
export const etcdMemberRemoveStep = z.object({
  kind: z.literal('etcd-member-remove'),
  memberName: nodeName,
  timeoutSec: timeoutSec.default(120),
});

/** Bootstrap token as kubeadm takes it: `<id>.<secret>` ([a-z0-9]{6}.[a-z0-9]{16}). */
export const bootstrapToken = z.string().regex(/^[a-z0-9]{6}\.[a-z0-9]{16}$/, 'expected a kubeadm token');
/** Discovery CA pin: `sha256:` and the hex SHA-256 of the CA's SubjectPublicKeyInfo. */
export const caCertHash = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'expected sha256:<64 hex>');

/**
 * Secrets a step needs, made just in time by the controller and carried only in the command on the
 * node's own `cmd` topic: never in the stored plan, the journal, logs or events.
 */
export const stepSecrets = z.strictObject({
  token: bootstrapToken.optional(),
  caCertHash: caCertHash.optional(),
  /** kubeadm certificate key (64 hex) for a further control plane. */
  certificateKey: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
/** Inferred {@link stepSecrets}. */
export type StepSecrets = z.infer<typeof stepSecrets>;

/** Step kinds whose result `secret` is sensitive or whose command carries {@link stepSecrets}. */
export const SECRET_STEP_KINDS = ['kubeadm-init', 'kubeadm-join', 'kubeadm-upload-certs'] as const;
