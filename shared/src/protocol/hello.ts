import { z } from 'zod';
import { isoTime, messageSeq } from './fields.js';
import { identitySchema } from './identity.js';
import { ID_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/** What the agent last recorded about its own provisioning (from its state dir). */
export const localProvisionState = z
  .object({
    runId: z.string().max(ID_MAX).describe('The run whose mark-provisioned step wrote the mark.'),
    at: isoTime('When the mark was written'),
  })
  .describe("The node's own provisioned mark (<state-dir>/provisioned.json).");

/**
 * Agent -> controller on `nodes/<id>/hello`, sent on every (re)connect. `bootSeq` counts boots the
 * agent has seen; `seq` counts messages within this agent process, so the controller sees restarts.
 */
export const helloSchema = z
  .object({
    v: protocolVersion,
    seq: messageSeq,
    bootSeq: z
      .number()
      .int()
      .nonnegative()
      .describe('Boots the agent has seen on this node: it increments when the kernel boot id changes.'),
    at: isoTime('When the agent sent it'),
    identity: identitySchema,
    provisioned: localProvisionState
      .nullable()
      .describe('What the node recorded when its last plan finished, or null.'),
  })
  .describe('Who the node is; sent on every connect (on `claim` while enrolling, then on `hello`).');
/** Inferred {@link helloSchema}. */
export type Hello = z.infer<typeof helloSchema>;
