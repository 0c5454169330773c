import type { Executor } from './types.js';

/**
 * The runner has already journaled the command with the current boot id; after the restart the
 * journal resolution sees a new boot id and reports success.
 */
export const rebootStep: Executor<'reboot'> = async (_step, ctx) => {
  await ctx.host.reboot();
  return { status: 'awaiting-reboot' };
};
