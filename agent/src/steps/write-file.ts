import { ensureFile } from '../host/fs-util.js';
import type { Executor } from './types.js';

/** Write one file below the host root, atomically, with its mode; a no-op when identical. */
export const writeFileStep: Executor<'write-file'> = async (step, ctx) => {
  // resolve() refuses `..` even though the schema already does: the executor must be safe alone.
  const target = ctx.paths.resolve(step.path);
  const data = step.encoding === 'base64' ? Buffer.from(step.content, 'base64') : Buffer.from(step.content);
  const changed = await ensureFile(target, data, Number.parseInt(step.mode, 8));
  return { status: 'succeeded', changed };
};
