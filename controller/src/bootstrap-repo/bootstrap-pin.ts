import type { Logger } from 'pino';
import type { Exec } from '../host/exec.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import { resolveBootstrap } from './bootstrap-repo.js';

/**
 * The bootstrap repository commit plans are pinned to now: re-resolved at start and after each
 * inventory change. While it cannot be resolved it is null and matched nodes wait (planner).
 */
export class BootstrapPin {
  #current: BootstrapSource | null = null;

  constructor(
    private readonly deps: {
      exec: Exec;
      logger: Logger;
      /** The inventory's `bootstrap` block: an external repo and ref, or the local directory. */
      source(): { repo?: string | undefined; ref: string };
      /** Inventory file path, excluded from the snapshot of the bootstrap directory. */
      inventoryPath: string;
      bootstrapDir: string;
      bareDir: string;
      publicHttpUrl: string;
    },
  ) {}

  current(): BootstrapSource | null {
    return this.#current;
  }

  /** Resolve again; a failure is logged and leaves the last pin as it was. Never throws. */
  async refresh(): Promise<void> {
    const { exec, logger, bootstrapDir, bareDir, publicHttpUrl, inventoryPath } = this.deps;
    const b = this.deps.source();
    try {
      this.#current = await resolveBootstrap({
        exec,
        repo: b.repo,
        ref: b.ref,
        bootstrapDir,
        bareDir,
        publicHttpUrl,
        exclude: [inventoryPath],
      });
      logger.info({ repo: this.#current.repo, commit: this.#current.commit }, 'bootstrap repository pinned');
    } catch (err) {
      logger.error(
        { err: (err as Error).message },
        'bootstrap repository unavailable; matched nodes will wait',
      );
    }
  }
}
