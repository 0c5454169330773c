import { z } from 'zod';
import { isoTime } from './fields.js';
import { bootId } from './identity.js';
import { NOTE_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/**
 * Retained agent presence on `nodes/<id>/status`. The agent's MQTT last will publishes the offline
 * form, so a crashed or unplugged node shows offline without the agent's help.
 */
export const nodeStatusSchema = z
  .object({
    v: protocolVersion,
    online: z.boolean().describe('True on connect; false in the last will and on a clean stop.'),
    at: isoTime('When the agent connected (for the will: the connect time, as the broker cannot stamp it)'),
    bootId: bootId.optional(),
    /** What the agent is doing right now, for humans. */
    activity: z.string().max(NOTE_MAX).optional().describe('What the agent is doing right now, for humans.'),
  })
  .describe('Retained presence of one node; its offline form is the agent’s MQTT last will.');
/** Inferred {@link nodeStatusSchema}. */
export type NodeStatus = z.infer<typeof nodeStatusSchema>;
