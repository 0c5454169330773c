import { z } from 'zod';
import { protocolVersion } from './version.js';

/** How a command ended. `interrupted`: the agent or node died while it ran. */
export const commandOutcome = z.enum(['succeeded', 'failed', 'timed-out', 'interrupted', 'rejected']);
/** Inferred {@link commandOutcome}. */
export type CommandOutcome = z.infer<typeof commandOutcome>;

/** Agent -> controller on `nodes/<id>/cmd-result`: the final word on one command id. */
export const commandResultSchema = z.object({
  v: protocolVersion,
  id: z.string().min(8),
  outcome: commandOutcome,
  exitCode: z.number().int().nullable(),
  /** One-line human explanation (for failed/timed-out/interrupted/rejected). */
  error: z.string().nullable(),
  /** Last lines of output, at most a few KiB. */
  outputTail: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string(),
  /** Step-specific data, e.g. whether anything changed. */
  changed: z.boolean().optional(),
  /**
   * Secret output of a kubeadm step (admin kubeconfig of kubeadm-init, certificate key of
   * kubeadm-upload-certs). Travels only on the node's own cmd-result topic, which no principal but
   * the controller may read; the controller hands it to the Kubernetes module and never stores,
   * logs, audits or forwards it. Use {@link redactResult} before showing a result anywhere.
   */
  secret: z.string().optional(),
});
/** Inferred {@link commandResultSchema}. */
export type CommandResult = z.infer<typeof commandResultSchema>;

/** A result fit for logs, events and the store: the secret replaced by a marker. */
export function redactResult(r: CommandResult): CommandResult {
  if (r.secret === undefined) return r;
  const { secret: _secret, ...rest } = r;
  return { ...rest, secret: '<redacted>' };
}
