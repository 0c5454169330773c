import { z } from 'zod';
import { commandId, isoTime, nullableIsoTime } from './fields.js';
import { bootId } from './identity.js';
import { ERROR_TEXT_MAX, NOTE_MAX, OUTPUT_TAIL_MAX, RESULT_SECRET_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/** How a command ended. `interrupted`: the agent or node died while it ran. */
export const commandOutcome = z
  .enum(['succeeded', 'failed', 'timed-out', 'interrupted', 'rejected'])
  .describe(
    'How the command ended. `failed`: it ran and did not succeed; `timed-out`: the agent killed it ' +
      'at its timeoutSec; `interrupted`: the agent or node died while it ran (reported after the ' +
      'restart); `rejected`: the agent refused to run it (its deadline had passed).',
  );
/** Inferred {@link commandOutcome}. */
export type CommandOutcome = z.infer<typeof commandOutcome>;

/** Agent -> controller on `nodes/<id>/cmd-result`: the final word on one command id. */
export const commandResultSchema = z
  .object({
    v: protocolVersion,
    id: commandId('Id of the command this is the result of.'),
    outcome: commandOutcome,
    exitCode: z.number().int().nullable().describe('Exit code of the process the step ran, or null.'),
    /** One-line human explanation (for failed/timed-out/interrupted/rejected). */
    error: z
      .string()
      .max(ERROR_TEXT_MAX)
      .nullable()
      .describe('One-line explanation for any outcome but succeeded; null on success.'),
    /** Last lines of output, at most a few KiB. */
    outputTail: z
      .string()
      .max(OUTPUT_TAIL_MAX)
      .describe('The last 4 KiB (bytes) of the output, redacted like the output events; may be empty.'),
    startedAt: nullableIsoTime('When the step started; null when it never started'),
    finishedAt: isoTime('When the agent settled the result'),
    /** Step-specific data, e.g. whether anything changed. */
    changed: z.boolean().optional().describe('Whether the step changed anything on the node, when known.'),
    /**
     * Secret output of a kubeadm step (admin kubeconfig of kubeadm-init, certificate key of
     * kubeadm-upload-certs). Travels only on the node's own cmd-result topic, which no principal but
     * the controller may read; the controller hands it to the Kubernetes module and never stores,
     * logs, audits or forwards it. Use {@link redactResult} before showing a result anywhere.
     */
    secret: z
      .string()
      .max(RESULT_SECRET_MAX)
      .optional()
      .describe(
        'Secret output of kubeadm-init (admin kubeconfig) and kubeadm-upload-certs (certificate key); ' +
          'only the controller may read cmd-result, and it never stores or logs this field.',
      ),
  })
  .describe('The final word on one command id (carries no `type`).');
/** Inferred {@link commandResultSchema}. */
export type CommandResult = z.infer<typeof commandResultSchema>;

/**
 * Agent -> controller on `nodes/<id>/cmd-result`: the agent accepted an operator command (queued it
 * to run). `duplicate` is true when the id was already known (running, queued or finished): the
 * agent does not run it again.
 */
export const commandAckSchema = z
  .object({
    v: protocolVersion,
    type: z.literal('ack').describe('An acknowledgement of an operator command.'),
    id: commandId('Id of the acknowledged command.'),
    at: isoTime('When the agent accepted it'),
    duplicate: z
      .boolean()
      .describe('True when the id was already known (running, queued or finished): not run again.'),
    /** The boot the agent is in when it accepts (a reboot's "before"). */
    bootId: bootId.describe('The boot the agent is in when it accepts (a reboot’s "before").'),
  })
  .describe('The agent accepted an operator command (every body type but run-step).');
/** Inferred {@link commandAckSchema}. */
export type CommandAck = z.infer<typeof commandAckSchema>;

/** Agent -> controller on `nodes/<id>/cmd-result`: an operator command moved on (started, rebooting). */
export const commandProgressSchema = z
  .object({
    v: protocolVersion,
    type: z.literal('progress').describe('Progress of an operator command.'),
    id: commandId('Id of the command.'),
    at: isoTime('When the state was reached'),
    state: z
      .enum(['running', 'rebooting'])
      .describe('`running`: it started; `rebooting`: a reboot command started (the node goes down).'),
    message: z.string().max(NOTE_MAX).optional().describe('A note for humans.'),
  })
  .describe('An operator command moved on; sent once, when it starts.');
/** Inferred {@link commandProgressSchema}. */
export type CommandProgress = z.infer<typeof commandProgressSchema>;

/**
 * Everything on `cmd-result`: an ack, a progress report, or the final result (which carries no
 * `type`, as it did before acks existed). Ack and progress are tried first: they carry `type`.
 */
export const commandReportSchema = z
  .union([commandAckSchema, commandProgressSchema, commandResultSchema])
  .describe('Everything on cmd-result: an ack, a progress report or the final result (no `type`).');
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
