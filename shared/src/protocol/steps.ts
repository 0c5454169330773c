import { z } from 'zod';
import {
  etcdMemberRemoveStep,
  kubeadmInitStep,
  kubeadmJoinStep,
  kubeadmUploadCertsStep,
  kubePrereqsStep,
} from './kube-steps.js';
import {
  ARG_MAX,
  ARGS_MAX,
  ENV_ENTRIES_MAX,
  ENV_VALUE_MAX,
  FILE_CONTENT_MAX,
  ID_MAX,
  IFACE_NAME_MAX,
  LIST_MAX,
  NAME_MAX,
  PATH_MAX,
  URL_MAX,
} from './limits.js';

/** Seconds a step may run before the agent kills it and reports a timeout. */
const timeoutSec = (seconds: number) =>
  z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .default(seconds)
    .describe('Seconds the step may run before the agent kills it and reports `timed-out`.');

/** Set the node's hostname (/etc/hostname, /etc/hosts, the running kernel). */
export const setHostnameStep = z
  .object({
    kind: z.literal('set-hostname').describe('Set the hostname.'),
    hostname: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/)
      .describe('A lowercase RFC 1123 label, e.g. k8s-worker-01.'),
    timeoutSec: timeoutSec(30),
  })
  .describe('Set the hostname: /etc/hostname, the 127.0.1.1 line of /etc/hosts, the running kernel.');

/** Write one file below the host root, atomically; a no-op when the content already matches. */
export const writeFileStep = z
  .object({
    kind: z.literal('write-file').describe('Write one file.'),
    /** Absolute path on the node, e.g. /etc/modules-load.d/k8s.conf. */
    path: z
      .string()
      .max(PATH_MAX)
      .startsWith('/')
      .refine((p) => !p.split('/').includes('..'), 'path must not contain ..')
      .describe('Absolute path on the node without `..`, e.g. /etc/modules-load.d/k8s.conf.'),
    content: z.string().max(FILE_CONTENT_MAX).describe('File content, in `encoding`.'),
    encoding: z.enum(['utf8', 'base64']).default('utf8').describe('How `content` is encoded.'),
    /** File mode as an octal string, e.g. "0644". */
    mode: z
      .string()
      .regex(/^0?[0-7]{3}$/)
      .default('0644')
      .describe('File mode as an octal string, e.g. "0644".'),
    timeoutSec: timeoutSec(30),
  })
  .describe('Write one file atomically; a no-op when the content already matches.');

/** Network stacks the agent can write configuration for. */
export const networkStack = z
  .enum(['auto', 'networkmanager', 'networkd'])
  .describe('Network stack to configure; `auto` picks the one the node runs.');

/** Give one interface a static address (NetworkManager keyfile or systemd-networkd unit). */
export const configureNetworkStep = z
  .object({
    kind: z.literal('configure-network').describe('Give one interface a static address.'),
    interface: z.string().min(1).max(IFACE_NAME_MAX).describe('Interface name, e.g. eth0.'),
    /** CIDR, e.g. 10.0.10.11/24. */
    address: z
      .string()
      .regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/)
      .describe('IPv4 address with prefix (CIDR), e.g. 10.0.10.11/24.'),
    gateway: z.string().max(NAME_MAX).optional().describe('Default gateway, e.g. 10.0.10.1.'),
    dns: z
      .array(z.string().max(NAME_MAX))
      .max(LIST_MAX)
      .default([])
      .describe('DNS servers, e.g. ["10.0.10.1"].'),
    stack: networkStack.default('auto'),
    timeoutSec: timeoutSec(60),
  })
  .describe(
    'Static address for one interface (NetworkManager keyfile or systemd-networkd unit), then reload.',
  );

/** Run a script from the bootstrap git repository at a pinned commit. */
export const runScriptStep = z
  .object({
    kind: z.literal('run-script').describe('Run a bootstrap script.'),
    /** Git URL the agent can reach (the controller serves its own bootstrap repo over HTTP). */
    repo: z
      .string()
      .min(1)
      .max(URL_MAX)
      .describe('Git URL the agent can reach (the controller serves its own bootstrap repo over HTTP).'),
    /** Full commit id: scripts are always pinned, never a moving branch. */
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .describe('Full commit id (40 lowercase hex): scripts are always pinned, never a moving branch.'),
    /** Path of the script inside the repo, e.g. scripts/10-prereqs.sh. */
    script: z
      .string()
      .min(1)
      .max(PATH_MAX)
      .refine(
        (p) => !p.startsWith('/') && !p.split('/').includes('..'),
        'script must be a relative path inside the repo',
      )
      .describe('Path of the script inside the repo, relative and without `..`, e.g. setup.sh.'),
    args: z
      .array(z.string().max(ARG_MAX))
      .max(ARGS_MAX)
      .default([])
      .describe('Arguments passed to the script.'),
    /** Extra environment; never secrets (they would land in the journal). */
    env: z
      .record(z.string().min(1).max(ARG_MAX), z.string().max(ENV_VALUE_MAX))
      .refine((e) => Object.keys(e).length <= ENV_ENTRIES_MAX, `at most ${ENV_ENTRIES_MAX} entries`)
      .meta({ maxProperties: ENV_ENTRIES_MAX })
      .default({})
      .describe('Extra environment (OSBUILD_HOSTNAME, OSBUILD_ROLE, …); never secrets.'),
    timeoutSec: timeoutSec(900),
  })
  .describe('Fetch the bootstrap repo at the pinned commit and run `bash <script>`.');

/** Reboot the node; succeeds once the agent comes back with a new boot id. */
export const rebootStep = z
  .object({
    kind: z.literal('reboot').describe('Reboot the node.'),
    timeoutSec: timeoutSec(600),
  })
  .describe('Reboot; the agent reports `succeeded` from its next boot, once the boot id changed.');

/** Record on the node that its plan finished, so later boots skip provisioning. */
export const markProvisionedStep = z
  .object({
    kind: z.literal('mark-provisioned').describe('Record that the plan finished.'),
    runId: z.string().min(1).max(ID_MAX).describe('The run that finished.'),
    timeoutSec: timeoutSec(30),
  })
  .describe('Write <state-dir>/provisioned.json; later hellos carry it as `provisioned`.');

/**
 * Reset the node for a reprovision: `kubeadm reset -f` when kubeadm is present, then remove the
 * provisioned marker so the next hello asks for a plan.
 */
export const resetNodeStep = z
  .object({
    kind: z.literal('reset-node').describe('Reset the node for a reprovision.'),
    timeoutSec: timeoutSec(300),
  })
  .describe('`kubeadm reset -f` when installed, then remove provisioned.json.');

/** Every step the controller can ask an agent to run, tagged by `kind`. */
export const stepSchema = z
  .discriminatedUnion('kind', [
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
  ])
  .describe('One step, tagged by `kind` (the reference lists every step).');
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
