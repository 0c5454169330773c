import { z } from 'zod';
import { protocolVersion } from './version.js';

/** The node's own MQTT credential, issued once the controller has matched the board. */
export const nodeCredential = z.object({ username: z.string().min(1), password: z.string().min(32) });
/** Inferred {@link nodeCredential}. */
export type NodeCredential = z.infer<typeof nodeCredential>;

/**
 * Controller -> claiming agent on `nodes/<id>/welcome`, the answer to a claim: either the node's
 * own credential (the agent stores it 0600 and reconnects with it) or why it must wait.
 */
export const welcomeSchema = z.discriminatedUnion('outcome', [
  z.object({
    v: protocolVersion,
    at: z.string(),
    outcome: z.literal('credential'),
    credential: nodeCredential,
  }),
  z.object({ v: protocolVersion, at: z.string(), outcome: z.literal('pending'), reason: z.string() }),
]);
/** Inferred {@link welcomeSchema}. */
export type Welcome = z.infer<typeof welcomeSchema>;
