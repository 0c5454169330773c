import { z } from 'zod';
import { commandId, isoTime } from './fields.js';
import { stepSecrets } from './kube-steps.js';
import { ARG_MAX, ID_MAX, IDEMPOTENCY_KEY_MAX, OPERATOR_ARGS_MAX, PATH_MAX, URL_MAX } from './limits.js';
import { stepSchema } from './steps.js';
import { protocolVersion } from './version.js';

/** Run one step of a provisioning run. */
export const runStepCommand = z
  .object({
    type: z.literal('run-step').describe('Run one step of a provisioning run.'),
    runId: z
      .string()
      .min(1)
      .max(ID_MAX)
      .describe('The run the step belongs to (`kube-ops` for the Kubernetes module’s one-off steps).'),
    index: z.number().int().nonnegative().describe('Position of the step in its run, from 0.'),
    attempt: z.number().int().positive().describe('Attempt of this step, from 1.'),
    step: stepSchema,
    /** Just-in-time secrets for kubeadm steps; the agent never journals or logs them. */
    secrets: stepSecrets.optional(),
  })
  .describe('Run one step of a provisioning run (sent by the provisioner and the Kubernetes module).');

/** Operator command: reboot the node. Confirmed by the controller only when a hello with a new boot id arrives. */
export const rebootCommand = z
  .object({
    type: z.literal('reboot').describe('Reboot the node.'),
    timeoutSec: z
      .number()
      .int()
      .positive()
      .max(3600)
      .default(600)
      .describe('Seconds the reboot may take before the agent reports it timed out.'),
  })
  .describe('Operator command: reboot; succeeds when a hello with a new boot id arrives.');

const scriptPath = z
  .string()
  .min(1)
  .max(PATH_MAX)
  .refine(
    (p) => !p.startsWith('/') && !p.split('/').includes('..'),
    'script must be a relative path inside the repo',
  )
  .describe('Path of the script inside the repo, relative and without `..`, e.g. scripts/10-prereqs.sh.');

/** Operator command: run a bootstrap-repo script at the commit the controller pinned. */
export const runScriptCommand = z
  .object({
    type: z.literal('run-script').describe('Run a bootstrap-repo script.'),
    repo: z.string().min(1).max(URL_MAX).describe('Git URL the agent can reach.'),
    commit: z
      .string()
      .regex(/^[0-9a-f]{40}$/)
      .describe('Full commit id (40 lowercase hex): scripts are always pinned.'),
    script: scriptPath,
    args: z
      .array(z.string().max(ARG_MAX))
      .max(OPERATOR_ARGS_MAX)
      .default([])
      .describe('Arguments passed to the script.'),
    timeoutSec: z
      .number()
      .int()
      .positive()
      .max(24 * 3600)
      .default(900)
      .describe('Seconds the script may run before the agent kills it.'),
  })
  .describe('Operator command (`osbuild run`): run a bootstrap-repo script at a pinned commit.');

/**
 * Operator command (first half of a reprovision on NVMe/SD): reset Kubernetes state
 * (`kubeadm reset -f` when kubeadm is present) and remove the provisioned marker. The controller
 * then runs the node's plan again.
 */
export const resetNodeCommand = z
  .object({
    type: z.literal('reset-node').describe('Reset the node for a reprovision.'),
    timeoutSec: z.number().int().positive().max(3600).default(300).describe('Seconds the reset may take.'),
  })
  .describe(
    'Operator command (`osbuild reprovision`, not netboot): `kubeadm reset -f` when installed, then ' +
      'remove the provisioned mark; the controller then runs the plan again.',
  );

/** Body types the operator can send (everything but `run-step`, which only the provisioner sends). */
export const OPERATOR_BODY_TYPES = ['reboot', 'run-script', 'reset-node'] as const;

/**
 * Controller -> agent on `nodes/<id>/cmd`. `id` is unique per attempt and is what the agent
 * de-duplicates on: a re-sent command with a known id gets the recorded result again, not a re-run.
 * Operator commands (reboot, run-script, reset-node) are acknowledged on `cmd-result` when accepted.
 */
export const commandSchema = z
  .object({
    v: protocolVersion,
    id: commandId(
      'Unique per attempt: `<runId>-<index>-<attempt>` for plan steps, `cmd-<uuid>` for operator ' +
        'commands, `kube-op-<uuid>` for the Kubernetes module; the agent de-duplicates on it.',
    ),
    /** ISO time after which the controller no longer waits for this command. */
    deadline: isoTime('After this time the controller no longer waits for the command'),
    /** The operator's idempotency key, for logs; de-duplication on the agent is by `id`. */
    idempotencyKey: z
      .string()
      .max(IDEMPOTENCY_KEY_MAX)
      .optional()
      .describe('The operator’s idempotency key, for logs; the agent de-duplicates by `id`.'),
    body: z
      .discriminatedUnion('type', [runStepCommand, rebootCommand, runScriptCommand, resetNodeCommand])
      .describe('What to do, tagged by `type` (the reference lists every body).'),
  })
  .describe('A command for one node.');
/** Inferred {@link commandSchema}. */
export type Command = z.infer<typeof commandSchema>;

/**
 * The part of a command a receiver needs to refuse it: a command whose body it cannot parse (a
 * step kind it does not know, a field out of bounds) but whose `v` and `id` it can is answered with
 * a `rejected` result, so the controller need not wait for the deadline.
 */
export const commandHeaderSchema = commandSchema.pick({ v: true, id: true });
/** Inferred {@link runStepCommand}. */
export type RunStepCommand = z.infer<typeof runStepCommand>;
/** Inferred body of any command. */
export type CommandBody = Command['body'];
/** Inferred {@link runScriptCommand}. */
export type RunScriptCommand = z.infer<typeof runScriptCommand>;
