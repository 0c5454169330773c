import { z } from 'zod';
import { identitySchema } from './identity.js';
import { protocolVersion } from './version.js';

/** What the agent last recorded about its own provisioning (from its state dir). */
export const localProvisionState = z.object({
  runId: z.string(),
  at: z.string(),
});

/**
 * Agent -> controller on `nodes/<id>/hello`, sent on every (re)connect. `bootSeq` counts boots the
 * agent has seen; `seq` counts messages within this agent process, so the controller sees restarts.
 */
export const helloSchema = z.object({
  v: protocolVersion,
  seq: z.number().int().nonnegative(),
  bootSeq: z.number().int().nonnegative(),
  at: z.string(),
  identity: identitySchema,
  provisioned: localProvisionState.nullable(),
});
/** Inferred {@link helloSchema}. */
export type Hello = z.infer<typeof helloSchema>;
