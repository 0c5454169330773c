import { z } from 'zod';
import { protocolVersion } from './version.js';

/**
 * Retained agent presence on `nodes/<id>/status`. The agent's MQTT last will publishes the offline
 * form, so a crashed or unplugged node shows offline without the agent's help.
 */
export const nodeStatusSchema = z.object({
  v: protocolVersion,
  online: z.boolean(),
  at: z.string(),
  bootId: z.string().optional(),
  /** What the agent is doing right now, for humans. */
  activity: z.string().optional(),
});
/** Inferred {@link nodeStatusSchema}. */
export type NodeStatus = z.infer<typeof nodeStatusSchema>;
