// Adapts the netboot server's root reset to the reprovision command's NetbootReset seam, so
// `osbuild serve --netboot-config FILE` makes `osbuild reprovision` of a netboot node reset its root.
import type { NetbootReset as CommandNetbootReset } from '../commands/seams.js';
import type { Exec } from '../host/exec.js';
import { netbootResetFromFiles } from './netboot-reset.js';

/**
 * The reprovision seam backed by the real netboot roots. The command waits only until the fresh
 * root is in place and NFS serves it; removing the old tree and copying the next spare go on in
 * the background (logged when they fail, never failing the command).
 */
export async function netbootCommandSeam(opts: {
  configFile: string;
  inventoryFile: string;
  exec: Exec;
  now: () => Date;
  onBackgroundError: (err: unknown) => void;
}): Promise<CommandNetbootReset> {
  const reset = await netbootResetFromFiles(opts);
  return {
    async resetRoot(nodeName) {
      const result = await reset.resetRoot(nodeName);
      result.background.catch(opts.onBackgroundError);
      return { image: result.image };
    },
  };
}
