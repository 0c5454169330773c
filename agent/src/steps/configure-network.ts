import path from 'node:path';
import { ensureFile, exists } from '../host/fs-util.js';
import type { ConcreteStack } from '../host/host-system.js';
import { renderNetworkdUnit, renderNmKeyfile } from './network-config.js';
import type { Executor } from './types.js';

/** Give one interface a static address with whichever network stack the image uses. */
export const configureNetwork: Executor<'configure-network'> = async (step, ctx) => {
  let stack: ConcreteStack;
  if (step.stack === 'auto') {
    // Raspberry Pi OS (bookworm and later) runs NetworkManager; plain Debian images use networkd.
    stack = (await exists(ctx.paths.networkManagerDir)) ? 'networkmanager' : 'networkd';
  } else {
    stack = step.stack;
  }
  let changed: boolean;
  if (stack === 'networkmanager') {
    const file = path.join(ctx.paths.nmConnections, `osbuild-${step.interface}.nmconnection`);
    // NetworkManager ignores keyfiles that others can read.
    changed = await ensureFile(file, renderNmKeyfile(step), 0o600);
  } else {
    const file = path.join(ctx.paths.networkdDir, `10-osbuild-${step.interface}.network`);
    changed = await ensureFile(file, renderNetworkdUnit(step), 0o644);
  }
  if (changed) await ctx.host.reloadNetwork(stack, step.interface);
  return { status: 'succeeded', changed };
};
