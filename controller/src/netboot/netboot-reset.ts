// The netboot server's root reset (CLI `netboot reset`, and reprovision through netboot/netboot-adapter.ts):
// reset one netboot node's root to a fresh copy of its image (or another version), atomically.
import type { Inventory } from '@osbuild/shared';
import { formatInventoryIssue, loadInventory, UserError } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { loadNetbootConfig, type NetbootConfig } from './config.js';
import { netbootLayout } from './layout.js';
import { netbootNodes } from './plan.js';
import { reloadNfs, renderNetboot } from './render-tree.js';
import { type RootResult, resetRoot } from './roots.js';
import { keepSpares } from './spares.js';

/**
 * A reset root, and what was done so the NFS server serves it. `background` settles when the old
 * root is removed and a new spare copy is ready (the node need not wait for it; a CLI should).
 */
export type NetbootResetResult = Omit<RootResult, 'cleanup'> & {
  nfsReload: string;
  background: Promise<void>;
};

/**
 * The netboot server's root reset (CLI `netboot reset`). The reprovision command sees it through
 * its own, smaller NetbootReset port (operator-commands/ports.ts), adapted in netboot/netboot-adapter.ts.
 */
export interface NetbootRootReset {
  /** Replace `nodeName`'s root with a fresh copy of its image (`image` overrides nodes.yaml's). */
  resetRoot(nodeName: string, opts?: { image?: string }): Promise<NetbootResetResult>;
  /** True when the node boots from the network (reprovision resets its root first). */
  isNetbootNode(nodeName: string): Promise<boolean>;
}

/** Build the real {@link NetbootRootReset}; the inventory is read per call so edits apply. */
export function createNetbootReset(deps: {
  config: NetbootConfig;
  inventory: () => Promise<Inventory>;
  exec: Exec;
  now: () => Date;
}): NetbootRootReset {
  const layout = netbootLayout(deps.config.dir);
  const usedImages = (inventory: Inventory) =>
    new Set(netbootNodes(inventory, deps.config).map((n) => n.image));
  const find = async (name: string) =>
    netbootNodes(await deps.inventory(), deps.config).find((n) => n.name === name);
  return {
    async isNetbootNode(name) {
      return (await find(name)) !== undefined;
    },
    async resetRoot(name, opts = {}) {
      const node = await find(name);
      if (node === undefined)
        throw new UserError('not-found', `${name} is not a netboot node in nodes.yaml (no netboot: entry)`);
      const { cleanup, ...result } = await resetRoot(
        layout,
        { name, rootPath: node.rootPath, image: opts.image ?? node.image },
        { exec: deps.exec, now: deps.now, server: deps.config.server, backgroundCleanup: true },
      );
      // The TFTP folder must hand out the kernel of the image the root now holds.
      const render = await renderNetboot(
        await deps.inventory(),
        deps.config,
        { exec: deps.exec, now: deps.now },
        { spares: false },
      );
      const nfsReload =
        render.reloads.length > 0 && deps.config.reload.nfs
          ? `ran ${deps.config.reload.nfs.join(' ')}`
          : await reloadNfs(deps.config, deps.exec);
      // After the swap: remove the old tree and copy the next spare while the node reboots.
      const background = cleanup.then(async () => {
        if (deps.config.spareRoots) await keepSpares(layout, usedImages(await deps.inventory()), deps.exec);
      });
      background.catch(() => undefined); // a caller that does not wait must not crash on it
      return { ...result, nfsReload, background };
    },
  };
}

/** Read nodes.yaml for a reset: invalid is a clear error naming each issue. */
export async function inventoryFromFile(file: string): Promise<Inventory> {
  const loaded = await loadInventory(file);
  if (loaded.ok) return loaded.inventory;
  throw new UserError('inventory-invalid', `${file}: ${loaded.issues.map(formatInventoryIssue).join('; ')}`);
}

/**
 * {@link createNetbootReset} from files, for wiring into the controller: `netboot.yaml` is read
 * once, the inventory on every call (so an edited nodes.yaml applies to the next reset).
 */
export async function netbootResetFromFiles(opts: {
  configFile: string;
  inventoryFile: string;
  exec: Exec;
  now: () => Date;
}): Promise<NetbootRootReset> {
  const config = await loadNetbootConfig(opts.configFile);
  return createNetbootReset({
    config,
    exec: opts.exec,
    now: opts.now,
    inventory: () => inventoryFromFile(opts.inventoryFile),
  });
}
