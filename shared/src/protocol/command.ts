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

/**
 * Controller -> agent on `nodes/<id>/cmd`. `id` is unique per attempt and is what the agent
 * de-duplicates on: a re-sent command with a known id gets the recorded result again, not a re-run.
 * Later issues add more `type`s (reboot, reprovision, ...) to the union.
 */
export const commandSchema = z.object({
  v: protocolVersion,
  id: z.string().min(8),
  /** ISO time after which the controller no longer waits for this command. */
  deadline: z.string(),
  body: z.discriminatedUnion('type', [runStepCommand]),
});
/** Inferred {@link commandSchema}. */
export type Command = z.infer<typeof commandSchema>;
/** Inferred {@link runStepCommand}. */
export type RunStepCommand = z.infer<typeof runStepCommand>;
