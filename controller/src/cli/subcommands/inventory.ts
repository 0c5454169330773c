import { resolve } from 'node:path';
import { formatInventoryIssue, loadInventory } from '@osbuild/shared';
import { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { addOutputOption } from '../client-options.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { type OutputFormat, renderOutput } from '../output/format.js';
import { type InventoryCheckReport, inventorySummary, inventorySummaryText } from '../output/inventory.js';

/** `osbuild inventory check FILE`: validate locally, no controller needed. */
export function inventoryCommand(ctx: CliContext): Command {
  const inventory = new Command('inventory').description('work with the nodes.yaml inventory');
  addOutputOption(
    inventory
      .command('check')
      .description('validate an inventory file; issues are printed as file:line:column: field: message')
      .argument('<file>', 'inventory file, e.g. bootstrap/config/nodes.yaml'),
  ).action(async (file: string, flags: { output: OutputFormat }) => {
    const loaded = await loadInventory(resolve(ctx.io.cwd, file));
    if (loaded.ok) {
      const report = inventorySummary(file, loaded.inventory);
      ctx.io.stdout.write(renderOutput(flags.output, report, () => inventorySummaryText(report)));
      return;
    }
    // Label issues with the path as the user typed it, as compilers do, so terminals link it.
    const issues = loaded.issues.map((i) => ({ ...i, file }));
    if (flags.output === 'table') {
      ctx.io.stderr.write(`${issues.map(formatInventoryIssue).join('\n')}\n`);
    } else {
      const report: InventoryCheckReport = { ok: false, file, issues };
      ctx.io.stdout.write(renderOutput(flags.output, report, () => ''));
    }
    throw new CliError(
      EXIT.inventoryInvalid,
      flags.output === 'table' ? `${file}: ${issues.length} issue${issues.length === 1 ? '' : 's'}` : '',
    );
  });
  return inventory;
}
