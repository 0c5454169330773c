import { Command } from 'commander';
import { addClientOptions, type ClientFlags, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { renderOutput } from '../output/format.js';
import { statusText } from '../output/status.js';

/** `osbuild status`. */
export function statusCommand(ctx: CliContext): Command {
  return addClientOptions(
    new Command('status').description(
      'show the controller: version, uptime, nodes, inventory, rejected messages',
    ),
  ).action(async (flags: ClientFlags) => {
    const stats = await withRpcClient(ctx, flags, (c) => c.call('controller.stats', {}));
    ctx.io.stdout.write(renderOutput(flags.output, stats, () => statusText(stats, ctx.now())));
  });
}
