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
      /** The data directory and every private file: no served file may resolve into them. */
      privateRoots: readonly string[];
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
    const { exec, logger, bootstrapDir, bareDir, publicHttpUrl, inventoryPath, privateRoots } = this.deps;
    const b = this.deps.source();
    try {
      const { source, snapshot } = await resolveBootstrap({
        exec,
        repo: b.repo,
        ref: b.ref,
        bootstrapDir,
        bareDir,
        publicHttpUrl,
        exclude: [inventoryPath],
        privateRoots,
      });
      this.#current = source;
      logger.info(
        {
          repo: source.repo,
          commit: source.commit,
          ...(snapshot ? { rule: snapshot.rule, files: snapshot.files } : {}),
        },
        'bootstrap repository pinned',
      );
      // Said once per snapshot, so an operator who expected a file on the nodes learns why not.
      if (snapshot && snapshot.skipped.length > 0) {
        logger.info(
          { notServed: snapshot.skipped, rule: snapshot.rule },
          'bootstrap files not served (outside scripts/, manifests/ and top-level *.sh, hidden, secret-looking or not world-readable)',
        );
      }
    } catch (err) {
      logger.error(
        { err: (err as Error).message },
        'bootstrap repository unavailable; matched nodes will wait',
      );
    }
  }
}
