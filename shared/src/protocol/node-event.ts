import { z } from 'zod';
import { commandId, isoTime, messageSeq } from './fields.js';
import { EVENT_TEXT_MAX, LOG_MSG_MAX } from './limits.js';
import { protocolVersion } from './version.js';

const base = { v: protocolVersion, seq: messageSeq, at: isoTime('When the agent sent it') };
const cmdId = commandId('Id of the command (the `id` of its cmd message).');

/** A command began executing on the agent. */
export const commandStartedEvent = z
  .object({
    ...base,
    type: z.literal('command-started').describe('A command began executing on the agent.'),
    cmdId,
  })
  .describe('A command began executing on the agent.');
/** A chunk of a command's output (stdout and stderr interleaved, line-oriented). */
export const commandOutputEvent = z
  .object({
    ...base,
    type: z.literal('command-output').describe("A chunk of a command's output."),
    cmdId,
    stream: z.enum(['stdout', 'stderr']).describe('Which stream the chunk came from.'),
    text: z
      .string()
      .max(EVENT_TEXT_MAX)
      .describe(
        `Output, coalesced for up to 200 ms; at most ${EVENT_TEXT_MAX} characters (longer output ` +
          'is split over several events). Secrets of kubeadm steps are redacted on the agent.',
      ),
  })
  .describe("A chunk of a command's output (stdout and stderr kept in order, coalesced).");
/** A log line from the agent itself. */
export const logEvent = z
  .object({
    ...base,
    type: z.literal('log').describe('A log line from the agent itself.'),
    level: z.enum(['debug', 'info', 'warn', 'error']).describe('Severity.'),
    msg: z
      .string()
      .max(LOG_MSG_MAX)
      .describe(`The log line, at most ${LOG_MSG_MAX} characters (the agent shortens longer ones).`),
  })
  .describe('A log line from the agent itself, e.g. why it rejected a message.');

/** Agent -> controller on `nodes/<id>/events`: progress and logs, QoS 0, best effort. */
export const nodeEventSchema = z
  .discriminatedUnion('type', [commandStartedEvent, commandOutputEvent, logEvent])
  .describe('Progress and logs of one node, best effort (QoS 0).');
/** Inferred {@link nodeEventSchema}. */
export type NodeEvent = z.infer<typeof nodeEventSchema>;
