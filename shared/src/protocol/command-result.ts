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

/**
 * Agent -> controller on `nodes/<id>/cmd-result`: the agent accepted an operator command (queued it
 * to run). `duplicate` is true when the id was already known (running, queued or finished): the
 * agent does not run it again.
 */
export const commandAckSchema = z.object({
  v: protocolVersion,
  type: z.literal('ack'),
  id: z.string().min(8),
  at: z.string(),
  duplicate: z.boolean(),
  /** The boot the agent is in when it accepts (a reboot's "before"). */
  bootId: z.string(),
});
/** Inferred {@link commandAckSchema}. */
export type CommandAck = z.infer<typeof commandAckSchema>;

/** Agent -> controller on `nodes/<id>/cmd-result`: an operator command moved on (started, rebooting). */
export const commandProgressSchema = z.object({
  v: protocolVersion,
  type: z.literal('progress'),
  id: z.string().min(8),
  at: z.string(),
  state: z.enum(['running', 'rebooting']),
  message: z.string().max(1024).optional(),
});
/** Inferred {@link commandProgressSchema}. */
export type CommandProgress = z.infer<typeof commandProgressSchema>;

/**
 * Everything on `cmd-result`: an ack, a progress report, or the final result (which carries no
 * `type`, as it did before acks existed). Ack and progress are tried first: they carry `type`.
 */
export const commandReportSchema = z.union([commandAckSchema, commandProgressSchema, commandResultSchema]);
/** Inferred {@link commandReportSchema}. */
export type CommandReport = z.infer<typeof commandReportSchema>;

/** True when a report is the final result of a command. */
export function isCommandResult(r: CommandReport): r is CommandResult {
  return !('type' in r);
}

/** A result fit for logs, events and the store: the secret replaced by a marker. */
export function redactResult(r: CommandResult): CommandResult {
  if (r.secret === undefined) return r;
  const { secret: _secret, ...rest } = r;
  return { ...rest, secret: '<redacted>' };
}
