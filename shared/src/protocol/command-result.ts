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
});
/** Inferred {@link commandResultSchema}. */
export type CommandResult = z.infer<typeof commandResultSchema>;
