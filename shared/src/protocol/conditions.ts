import { z } from 'zod';

/** Kinds of health condition the controller derives from a node's state and telemetry. */
export const conditionType = z.enum([
  'telemetry-stale',
  'temperature-high',
  'under-voltage',
  'throttled',
  'disk-full',
  'kubelet-down',
]);
/** Inferred {@link conditionType}. */
export type ConditionType = z.infer<typeof conditionType>;

/** One thing wrong with a node right now, with a reason an operator can act on. */
export const nodeCondition = z.object({
  type: conditionType,
  severity: z.enum(['warning', 'critical']),
  reason: z.string(),
});
/** Inferred {@link nodeCondition}. */
export type NodeCondition = z.infer<typeof nodeCondition>;
