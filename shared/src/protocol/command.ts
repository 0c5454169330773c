import { z } from 'zod';
import { stepSecrets } from './kube-steps.js';
import { stepSchema } from './steps.js';
import { protocolVersion } from './version.js';

/** Run one step of a provisioning run. */
export const runStepCommand = z.object({
  type: z.literal('run-step'),
  runId: z.string().min(1),
  index: z.number().int().nonnegative(),
  attempt: z.number().int().positive(),
  step: stepSchema,
  /** Just-in-time secrets for kubeadm steps; the agent never journals or logs them. */
  secrets: stepSecrets.optional(),
});

/** Operator command: reboot the node. Confirmed by the controller only when a hello with a new boot id arrives. */
export const rebootCommand = z.object({
  type: z.literal('reboot'),
  timeoutSec: z.number().int().positive().max(3600).default(600),
});

/** Operator command: run a bootstrap-repo script at the commit the controller pinned. */
export const runScriptCommand = z.object({
  type: z.literal('run-script'),
  repo: z.string().min(1),
  commit: z.string().regex(/^[0-9a-f]{40}$/),
  script: z
    .string()
    .min(1)
    .refine(
      (p) => !p.startsWith('/') && !p.split('/').includes('..'),
      'script must be a relative path inside the repo',
    ),
  args: z.array(z.string()).max(64).default([]),
  timeoutSec: z
    .number()
    .int()
    .positive()
    .max(24 * 3600)
    .default(900),
});

/**
 * Operator command (first half of a reprovision on NVMe/SD): reset Kubernetes state
 * (`kubeadm reset -f` when kubeadm is present) and remove the provisioned marker. The controller
 * then runs the node's plan again.
 */
export const resetNodeCommand = z.object({
  type: z.literal('reset-node'),
  timeoutSec: z.number().int().positive().max(3600).default(300),
});

/** Body types the operator can send (everything but `run-step`, which only the provisioner sends). */
export const OPERATOR_BODY_TYPES = ['reboot', 'run-script', 'reset-node'] as const;

/**
 * Controller -> agent on `nodes/<id>/cmd`. `id` is unique per attempt and is what the agent
 * de-duplicates on: a re-sent command with a known id gets the recorded result again, not a re-run.
 * Operator commands (reboot, run-script, reset-node) are acknowledged on `cmd-result` when accepted.
 */
export const commandSchema = z.object({
  v: protocolVersion,
  id: z.string().min(8),
  /** ISO time after which the controller no longer waits for this command. */
  deadline: z.string(),
  /** The operator's idempotency key, for logs; de-duplication on the agent is by `id`. */
  idempotencyKey: z.string().max(128).optional(),
  body: z.discriminatedUnion('type', [runStepCommand, rebootCommand, runScriptCommand, resetNodeCommand]),
});
/** Inferred {@link commandSchema}. */
export type Command = z.infer<typeof commandSchema>;
/** Inferred {@link runStepCommand}. */
export type RunStepCommand = z.infer<typeof runStepCommand>;
/** Inferred body of any command. */
export type CommandBody = Command['body'];
/** Inferred {@link runScriptCommand}. */
export type RunScriptCommand = z.infer<typeof runScriptCommand>;
