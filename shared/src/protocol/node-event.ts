import { z } from 'zod';
import { protocolVersion } from './version.js';

const base = { v: protocolVersion, seq: z.number().int().nonnegative(), at: z.string() };

/** A command began executing on the agent. */
export const commandStartedEvent = z.object({
  ...base,
  type: z.literal('command-started'),
  cmdId: z.string(),
});
/** A chunk of a command's output (stdout and stderr interleaved, line-oriented). */
export const commandOutputEvent = z.object({
  ...base,
  type: z.literal('command-output'),
  cmdId: z.string(),
  stream: z.enum(['stdout', 'stderr']),
  text: z.string(),
});
/** A log line from the agent itself. */
export const logEvent = z.object({
  ...base,
  type: z.literal('log'),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  msg: z.string(),
});

/** Agent -> controller on `nodes/<id>/events`: progress and logs, QoS 0, best effort. */
export const nodeEventSchema = z.discriminatedUnion('type', [
  commandStartedEvent,
  commandOutputEvent,
  logEvent,
]);
/** Inferred {@link nodeEventSchema}. */
export type NodeEvent = z.infer<typeof nodeEventSchema>;
