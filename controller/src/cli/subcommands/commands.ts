import { Command } from 'commander';
import { addClientOptions, type ClientFlags, withRpcClient } from '../client-options.js';
import type { CliContext } from '../context.js';
import { pollAfter } from '../follow.js';
import { commandDetailText, commandListTable, eventLine, logLine } from '../output/commands.js';
import { renderOutput } from '../output/format.js';

/** `osbuild commands ls|show`. */
export function commandsCommand(ctx: CliContext): Command {
  const cmds = new Command('commands').description(
    'list and inspect node commands (reboot, reprovision, run)',
  );
  const print = (text: string) => ctx.io.stdout.write(text);
  addClientOptions(
    cmds
      .command('ls')
      .alias('list')
      .description('list commands, newest first, with their state (queued, sent, accepted, ...)')
      .option('--node <name>', 'only the commands of this node'),
  ).action(async (flags: ClientFlags & { node?: string }) => {
    const list = await withRpcClient(ctx, flags, (c) =>
      c.call('commands.list', flags.node !== undefined ? { name: flags.node } : {}),
    );
    print(renderOutput(flags.output, list, () => commandListTable(list, ctx.now())));
  });
  addClientOptions(
    cmds
      .command('show')
      .description('show one command: state, reason, times, boot ids, output')
      .argument('<id>'),
  ).action(async (id: string, flags: ClientFlags) => {
    const c = await withRpcClient(ctx, flags, (r) => r.call('commands.show', { id }));
    print(renderOutput(flags.output, c, () => commandDetailText(c, ctx.now())));
  });
  return cmds;
}

/** `osbuild events [-f] [NAME]`. */
export function eventsCommand(ctx: CliContext): Command {
  return addClientOptions(
    new Command('events')
      .description(
        'print stored events (phase changes, steps, commands, health), then follow new ones with -f',
      )
      .argument('[name]', 'only the events of this node')
      .option('-f, --follow', 'keep printing new events until interrupted')
      .option('--limit <n>', 'how many past events to print first', (v) => Number.parseInt(v, 10), 50),
  ).action(async (name: string | undefined, flags: ClientFlags & { follow?: boolean; limit: number }) => {
    await withRpcClient(ctx, flags, async (c) => {
      let first = true;
      await pollAfter(ctx, {
        follow: flags.follow === true,
        pollMs: 500,
        fetch: async (afterId) => {
          const limit = first ? flags.limit : 500;
          first = false;
          return c.call('events.list', { ...(name !== undefined ? { name } : {}), afterId, limit });
        },
        // JSON lines: one object per event, so a follower can parse as it goes.
        emit: (e) => ctx.io.stdout.write(flags.output === 'table' ? eventLine(e) : `${JSON.stringify(e)}\n`),
      });
    });
  });
}

/** `osbuild logs NAME [-f]`. */
export function logsCommand(ctx: CliContext): Command {
  return addClientOptions(
    new Command('logs')
      .description("print a node's recorded command and step output and its agent's log lines")
      .argument('<name>', 'inventory hostname or node id')
      .option('-f, --follow', 'keep printing new lines until interrupted')
      .option('--limit <n>', 'how many past lines to print first', (v) => Number.parseInt(v, 10), 200),
  ).action(async (name: string, flags: ClientFlags & { follow?: boolean; limit: number }) => {
    await withRpcClient(ctx, flags, async (c) => {
      let first = true;
      await pollAfter(ctx, {
        follow: flags.follow === true,
        pollMs: 500,
        fetch: async (afterId) => {
          const limit = first ? flags.limit : 1000;
          first = false;
          return c.call('logs.get', { name, afterId, limit });
        },
        emit: (l) => ctx.io.stdout.write(flags.output === 'table' ? logLine(l) : `${JSON.stringify(l)}\n`),
      });
    });
  });
}
