import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { formatInventoryIssue, type Inventory, loadInventory, UserError } from '@osbuild/shared';
import type { Logger } from 'pino';

/** What operators see about the inventory (controller.stats). */
export interface InventoryStatus {
  path: string;
  entries: number;
  loadedAt: string;
  /** Problems of the last failed reload, while the last good inventory stays in use. */
  lastError: string | null;
}

/**
 * The current inventory: loaded at start (an invalid file refuses to start), then reloaded when
 * the file changes. An invalid edit is reported and the last good inventory stays in force.
 */
export class InventorySource {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;

  private constructor(
    readonly path: string,
    private inventory: Inventory,
    private state: InventoryStatus,
    private readonly logger: Logger,
    private readonly now: () => Date,
  ) {}

  /** Load `path`; throws a UserError listing every issue when it is invalid. */
  static async open(path: string, logger: Logger, now: () => Date): Promise<InventorySource> {
    const file = resolve(path);
    const result = await loadInventory(file);
    if (!result.ok) {
      throw new UserError(
        'inventory-invalid',
        `invalid inventory:\n${result.issues.map((i) => `  ${formatInventoryIssue(i)}`).join('\n')}`,
      );
    }
    const status = {
      path: file,
      entries: result.inventory.nodes.length,
      loadedAt: now().toISOString(),
      lastError: null,
    };
    return new InventorySource(file, result.inventory, status, logger, now);
  }

  current(): Inventory {
    return this.inventory;
  }

  status(): InventoryStatus {
    return { ...this.state };
  }

  /** Re-read the file; returns true when a new valid inventory took effect. */
  async reload(): Promise<boolean> {
    const result = await loadInventory(this.path);
    if (!result.ok) {
      const lines = result.issues.map(formatInventoryIssue);
      this.state = { ...this.state, lastError: lines.join('\n') };
      this.logger.error(
        { issues: result.issues },
        `inventory reload refused, keeping the last good one: ${lines[0]}`,
      );
      return false;
    }
    this.inventory = result.inventory;
    this.state = {
      path: this.path,
      entries: result.inventory.nodes.length,
      loadedAt: this.now().toISOString(),
      lastError: null,
    };
    this.logger.info({ path: this.path, entries: this.state.entries }, 'inventory reloaded');
    return true;
  }

  /**
   * Watch the file's directory, not the file: editors save by writing a new file and renaming it
   * over the old one, which would orphan a watch on the old inode. Changes are debounced.
   */
  watch(onChange: () => void, debounceMs = 150): void {
    const name = basename(this.path);
    this.watcher = watch(dirname(this.path), (_event, changed) => {
      if (changed !== null && changed !== name) return;
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        void this.reload().then((ok) => ok && onChange());
      }, debounceMs);
    });
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.watcher?.close();
  }
}
