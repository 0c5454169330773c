import { z } from 'zod';
import { isoTime } from './fields.js';
import { nodeId } from './identity.js';
import { PASSWORD_MAX, REASON_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/** The node's own MQTT credential, issued once the controller has matched the board. */
export const nodeCredential = z
  .object({
    username: nodeId.describe('MQTT username of the node: its nodeId.'),
    password: z
      .string()
      .min(32)
      .max(PASSWORD_MAX)
      .describe(
        'MQTT password: 32 random bytes, base64url (43 characters); the controller keeps only its scrypt hash.',
      ),
  })
  .describe('The node’s own MQTT credential; the agent stores it 0600 in <state-dir>/credential.json.');
/** Inferred {@link nodeCredential}. */
export type NodeCredential = z.infer<typeof nodeCredential>;

const at = isoTime('When the controller answered');

/**
 * Controller -> claiming agent on `nodes/<id>/welcome`, the answer to a claim: either the node's
 * own credential (the agent stores it 0600 and reconnects with it) or why it must wait.
 */
export const welcomeSchema = z
  .discriminatedUnion('outcome', [
    z
      .object({
        v: protocolVersion,
        at,
        outcome: z.literal('credential').describe('The board is accepted: here is its own credential.'),
        credential: nodeCredential,
      })
      .describe('The board is accepted; it logs in again with this credential.'),
    z
      .object({
        v: protocolVersion,
        at,
        outcome: z.literal('pending').describe('The board must wait.'),
        reason: z
          .string()
          .max(REASON_MAX)
          .describe('The node’s phase and reason, e.g. "pending: unknown: no inventory entry has MAC …".'),
      })
      .describe('The board must wait (unknown, identity mismatch or conflict); a credential may follow.'),
  ])
  .describe('The controller’s answer to a claim, tagged by `outcome`.');
/** Inferred {@link welcomeSchema}. */
export type Welcome = z.infer<typeof welcomeSchema>;
