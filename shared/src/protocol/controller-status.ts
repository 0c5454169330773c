import { z } from 'zod';
import { protocolVersion } from './version.js';

/** Retained controller presence on `osbuild/v1/controller/status`. */
export const controllerStatusSchema = z.object({
  v: protocolVersion,
  online: z.boolean(),
  at: z.string(),
  version: z.string().optional(),
  startedAt: z.string().optional(),
});
/** Inferred {@link controllerStatusSchema}. */
export type ControllerStatus = z.infer<typeof controllerStatusSchema>;
