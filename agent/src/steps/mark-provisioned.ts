import { readProvisioned, writeProvisioned } from '../journal/provisioned.js';
import type { Executor } from './types.js';

/** Record that the plan finished, so hello tells the controller on later boots. */
export const markProvisioned: Executor<'mark-provisioned'> = async (step, ctx) => {
  const current = await readProvisioned(ctx.stateDir);
  if (current?.runId === step.runId) return { status: 'succeeded', changed: false };
  await writeProvisioned(ctx.stateDir, { runId: step.runId, at: ctx.now().toISOString() });
  return { status: 'succeeded', changed: true };
};
