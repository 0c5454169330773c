// Adapts the netboot server's root reset to the reprovision command's NetbootReset port, so
// `osbuild serve --netboot-config FILE` makes `osbuild reprovision` of a netboot node reset its root.

import type { Exec } from '../host/exec.js';
import type { NetbootReset, PowerHooks } from '../operator-commands/ports.js';
import { loadNetbootConfig } from './config.js';
import { createNetbootReset, inventoryFromFile } from './netboot-reset.js';
import { netbootPowerHooks } from './power-hook.js';

/**
 * The reprovision port backed by the real netboot roots. The command waits only until the fresh
 * root is in place and NFS serves it; removing the old tree and copying the next spare go on in
 * the background (logged when they fail, never failing the command). The same object is the
 * commands' PowerHooks port, from netboot.yaml's `powerHooks`.
 */
export async function netbootAdapter(opts: {
  configFile: string;
  inventoryFile: string;
  exec: Exec;
  now: () => Date;
  onBackgroundError: (err: unknown) => void;
}): Promise<NetbootReset & PowerHooks> {
  const config = await loadNetbootConfig(opts.configFile);
  const reset = createNetbootReset({
    config,
    exec: opts.exec,
    now: opts.now,
    inventory: () => inventoryFromFile(opts.inventoryFile),
  });
  return {
    ...netbootPowerHooks(config, opts.exec),
    async resetRoot(nodeName) {
      const result = await reset.resetRoot(nodeName);
      result.background.catch(opts.onBackgroundError);
      return { image: result.image };
    },
  };
}
