import { z } from 'zod';
import {
  etcdMemberRemoveStep,
  kubeadmInitStep,
  kubeadmJoinStep,
  kubeadmUploadCertsStep,
  kubePrereqsStep,
} from './kube-steps.js';

/** Seconds a step may run before the agent kills it and reports a timeout. */
const timeoutSec = z
  .number()
  .int()
  .positive()
  .max(24 * 3600);

/** Set the node's hostname (/etc/hostname, /etc/hosts, the running kernel). */
export const setHostnameStep = z.object({
  kind: z.literal('set-hostname'),
  hostname: z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/),
  timeoutSec: timeoutSec.default(30),
});

/** Write one file below the host root, atomically; a no-op when the content already matches. */
export const writeFileStep = z.object({
  kind: z.literal('write-file'),
  /** Absolute path on the node, e.g. /etc/modules-load.d/k8s.conf. */
  path: z
    .string()
    .startsWith('/')
    .refine((p) => !p.split('/').includes('..'), 'path must not contain ..'),
  content: z.string(),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  /** File mode as an octal string, e.g. "0644". */
  mode: z
    .string()
    .regex(/^0?[0-7]{3}$/)
    .default('0644'),
  timeoutSec: timeoutSec.default(30),
});

/** Network stacks the agent can write configuration for. */
export const networkStack = z.enum(['auto', 'networkmanager', 'networkd']);

/** Give one interface a static address (NetworkManager keyfile or systemd-networkd unit). */
export const configureNetworkStep = z.object({
  kind: z.literal('configure-network'),
  interface: z.string().min(1),
  /** CIDR, e.g. 10.0.10.11/24. */
  address: z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/),
  gateway: z.string().optional(),
  dns: z.array(z.string()).default([]),
  stack: networkStack.default('auto'),
  timeoutSec: timeoutSec.default(60),
});

/** Run a script from the bootstrap git repository at a pinned commit. */
export const runScriptStep = z.object({
  kind: z.literal('run-script'),
  /** Git URL the agent can reach (the controller serves its own bootstrap repo over HTTP). */
  repo: z.string().min(1),
  /** Full commit id: scripts are always pinned, never a moving branch. */
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  /** Path of the script inside the repo, e.g. scripts/10-prereqs.sh. */
  script: z
    .string()
    .min(1)
    .refine(
      (p) => !p.startsWith('/') && !p.split('/').includes('..'),
      'script must be a relative path inside the repo',
    ),
  args: z.array(z.string()).default([]),
  /** Extra environment; never secrets (they would land in the journal). */
  env: z.record(z.string(), z.string()).default({}),
  timeoutSec: timeoutSec.default(900),
});

/** Reboot the node; succeeds once the agent comes back with a new boot id. */
export const rebootStep = z.object({
  kind: z.literal('reboot'),
  timeoutSec: timeoutSec.default(600),
});

/** Record on the node that its plan finished, so later boots skip provisioning. */
export const markProvisionedStep = z.object({
  kind: z.literal('mark-provisioned'),
  runId: z.string().min(1),
  timeoutSec: timeoutSec.default(30),
});

/**
 * Reset the node for a reprovision: `kubeadm reset -f` when kubeadm is present, then remove the
 * provisioned marker so the next hello asks for a plan.
 */
export const resetNodeStep = z.object({
  kind: z.literal('reset-node'),
  timeoutSec: timeoutSec.default(300),
});

/** Every step the controller can ask an agent to run, tagged by `kind`. */
export const stepSchema = z.discriminatedUnion('kind', [
  setHostnameStep,
  writeFileStep,
  configureNetworkStep,
  runScriptStep,
  rebootStep,
  markProvisionedStep,
  resetNodeStep,
  kubePrereqsStep,
  kubeadmInitStep,
  kubeadmJoinStep,
  kubeadmUploadCertsStep,
  etcdMemberRemoveStep,
]);
/** Inferred {@link stepSchema} (defaults applied). */
export type Step = z.infer<typeof stepSchema>;
/** Input form of a step, before defaults are applied. */
export type StepInput = z.input<typeof stepSchema>;
/** Discriminator of {@link Step}. */
export type StepKind = Step['kind'];
/** The step of one kind. */
export type StepOf<K extends StepKind> = Extract<Step, { kind: K }>;
/** All step kinds, in declaration order. */
export const STEP_KINDS = stepSchema.options.map((o) => o.shape.kind.value) as StepKind[];
