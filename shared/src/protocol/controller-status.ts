import { z } from 'zod';
import { isoTime } from './fields.js';
import { VERSION_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/** Retained controller presence on `osbuild/v1/controller/status`. */
export const controllerStatusSchema = z
  .object({
    v: protocolVersion,
    online: z.boolean().describe('True while the controller runs; false in its last will and on stop.'),
    at: isoTime('When the controller published it'),
    version: z.string().max(VERSION_MAX).optional().describe('Version of the running controller.'),
    startedAt: isoTime(
      'When this controller process started; agents say hello again when it changes',
    ).optional(),
  })
  .describe('Retained presence of the controller.');
/** Inferred {@link controllerStatusSchema}. */
export type ControllerStatus = z.infer<typeof controllerStatusSchema>;
