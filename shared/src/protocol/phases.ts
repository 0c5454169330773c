import { z } from 'zod';

/** Lifecycle of a node as the controller sees it (DESIGN.md section 3). */
export const nodePhase = z.enum([
  'discovered',
  'pending',
  'matched',
  'provisioning',
  'provisioned',
  'joined',
  'ready',
  'failed',
  'reprovisioning',
]);
/** Inferred {@link nodePhase}. */
export type NodePhase = z.infer<typeof nodePhase>;

/** Why a node is pending; anything else is carried as free text in `reason`. */
export const pendingReason = z.enum(['unknown', 'identity-mismatch', 'conflict']);
/** Inferred {@link pendingReason}. */
export type PendingReason = z.infer<typeof pendingReason>;
