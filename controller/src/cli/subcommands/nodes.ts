import { Command, Option } from 'commander';
import { addClientOptions, type ClientFlags, parseSeconds, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { renderOutput } from '../output/format.js';
import { approvedText, nodeDetailText, nodeListTable, nodeWhyText, retriedText } from '../output/nodes.js';

/** `osbuild nodes ls|show|why|approve|retry`. */
export function nodesCommand(ctx: CliContext): Command {
  const nodes = new Command('nodes').description('list, inspect, approve and retry nodes');
  const print = (text: string) => ctx.io.stdout.write(text);

  addClientOptions(
    nodes
      .command('ls')
      .alias('list')
      .description('list every node the controller knows, with its phase and why it is there'),
  ).action(async (flags: ClientFlags) => {
    const list = await withRpcClient(ctx, flags, (c) => c.call('nodes.list', {}));
    print(renderOutput(flags.output, list, () => nodeListTable(list, ctx.now())));
  });

  addClientOptions(
    nodes
      .command('show')
      .description('show one node: identity, phase and the steps of its current run')
      .argument('<name>', 'inventory hostname or node id'),
  ).action(async (name: string, flags: ClientFlags) => {
    const node = await withRpcClient(ctx, flags, (c) => c.call('nodes.show', { name }));
    print(renderOutput(flags.output, node, () => nodeDetailText(node, ctx.now())));
  });

  addClientOptions(
    nodes
      .command('why')
      .description('explain what a node is waiting for, or which step failed and how')
      .argument('<name>', 'inventory hostname or node id'),
  ).action(async (name: string, flags: ClientFlags) => {
    const why = await withRpcClient(ctx, flags, (c) => c.call('nodes.why', { name }));
    print(renderOutput(flags.output, why, () => nodeWhyText(why)));
  });

  addClientOptions(
    nodes
      .command('approve')
      .description('accept a pending node and give it a hostname (and role)')
      .argument('<node-id>', 'node id as `nodes ls` shows it, e.g. pi-10000000abcdef01')
      .requiredOption('--as <hostname>', 'hostname the node gets')
      .addOption(new Option('--role <role>', 'role of the node').choices(['control-plane', 'worker'])),
  ).action(async (nodeId: string, flags: ClientFlags & { as: string; role?: 'control-plane' | 'worker' }) => {
    const params = { nodeId, hostname: flags.as, ...(flags.role ? { role: flags.role } : {}) };
    const node = await withRpcClient(ctx, flags, (c) => c.call('nodes.approve', params));
    print(renderOutput(flags.output, node, () => approvedText(node)));
  });

  addClientOptions(
    nodes
      .command('retry')
      .description('retry a failed node from its failed step, or (--from-start) provision a node again')
      .argument('<name>', 'inventory hostname or node id')
      .option('--from-start', 'plan a new run from the current inventory (failed or provisioned nodes)'),
  ).action(async (name: string, flags: ClientFlags & { fromStart?: boolean }) => {
    const params = { name, fromStart: flags.fromStart === true };
    const node = await withRpcClient(ctx, flags, (c) => c.call('nodes.retry', params));
    print(renderOutput(flags.output, node, () => retriedText(node)));
  });

  addClientOptions(
    nodes
      .command('rotate-credential')
      .description(
        "revoke a node's credential; it re-enrols with its claim within 10 minutes and gets a new one",
      )
      .argument('<name>', 'inventory hostname or node id'),
  ).action(async (name: string, flags: ClientFlags) => {
    const r = await withRpcClient(ctx, flags, (c) => c.call('nodes.rotate-credential', { name }));
    print(
      renderOutput(
        flags.output,
        r,
        () => `Revoked the credential of ${r.name}; it may re-enrol until ${r.windowExpiresAt}.\n`,
      ),
    );
  });

  // `allow-reclaim` opens a claim window; `osbuild reprovision` resets a node. The old name of this
  // verb said the latter, so it stays for one release as a hidden alias that warns.
  const allowReclaim = (verb: string, deprecated: boolean) =>
    addClientOptions(
      nodes
        .command(verb, { hidden: deprecated })
        .description(
          deprecated
            ? 'deprecated name of `nodes allow-reclaim` (removed in the next release)'
            : 'open a window in which the board may claim its identity again and be provisioned from scratch',
        )
        .argument('<name>', 'inventory hostname or node id')
        .option('--window <sec>', 'seconds the window stays open (default 900)', parseSeconds),
    ).action(async (name: string, flags: ClientFlags & { window?: number }) => {
      if (deprecated) {
        ctx.io.stderr.write(
          '`osbuild nodes reprovision` is deprecated: use `osbuild nodes allow-reclaim` (same flags); `osbuild reprovision` resets a node\n',
        );
      }
      const params = { name, ...(flags.window !== undefined ? { windowSec: Math.ceil(flags.window) } : {}) };
      const r = await withRpcClient(ctx, flags, (c) => c.call('nodes.reprovision', params));
      print(
        renderOutput(
          flags.output,
          r,
          () => `Reprovision window for ${r.name} open until ${r.windowExpiresAt}; it closes on first use.\n`,
        ),
      );
    });
  allowReclaim('allow-reclaim', false);
  allowReclaim('reprovision', true);

  return nodes;
}
