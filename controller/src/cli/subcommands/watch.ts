import { randomBytes } from 'node:crypto';
import { topics } from '@osbuild/shared';
import { Command } from 'commander';
import type { RpcClient } from '../../rpc/client.js';
import { connectMqtt, type MqttPort } from '../../transport/mqtt.js';
import { CliError } from '../cli-error.js';
import {
  addClientOptions,
  type ClientFlags,
  parseSeconds,
  resolveConnection,
  withRpcClient,
} from '../client-options.js';
import type { CliContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { watchTable } from '../output/watch.js';
import { FleetView } from '../watch/fleet-view.js';

interface WatchFlags extends ClientFlags {
  selector?: string;
  once?: boolean;
  interval: number;
  window: number;
  monitor?: boolean;
}

/** Clear the screen and home the cursor (ECMA-48 ED 2 + CUP), for redrawing in place on a TTY. */
const CLEAR = '\x1b[H\x1b[2J';

/** `osbuild watch [NAME] [-l selector]`. */
export function watchCommand(ctx: CliContext): Command {
  return addClientOptions(
    new Command('watch')
      .description('a live table of the fleet from the status and telemetry topics')
      .argument('[name]', 'only this node (hostname or node id; a node id with --monitor)')
      .option('-l, --selector <labels>', 'only nodes whose nodes.yaml labels match, e.g. role=worker')
      .option('--once', 'print one snapshot after --window seconds and exit (for scripts and tests)')
      .option('--interval <sec>', 'seconds between redraws', parseSeconds, 2)
      .option('--window <sec>', 'with --once: seconds to listen before the snapshot', parseSeconds, 2)
      .option('--monitor', 'log in with monitor credentials: topics only, no names, phases or selectors')
      .addHelpText(
        'after',
        '\nOn a terminal the table redraws in place; otherwise each refresh appends a snapshot.\n' +
          '-o json prints one JSON object per refresh (JSON lines): {"at", "nodes": [...]}.',
      ),
  ).action(async (name: string | undefined, flags: WatchFlags) => {
    if (flags.monitor && flags.selector !== undefined) {
      throw new CliError(EXIT.usage, '-l needs operator credentials (labels come from the controller)');
    }
    const { address, ca } = resolveConnection(ctx, flags);
    const connect = ctx.deps.connect ?? connectMqtt;
    let port: MqttPort;
    try {
      port = await connect(address.url, {
        clientId: `cli-watch-${randomBytes(6).toString('hex')}`,
        connectTimeoutMs: Math.round(flags.timeout * 1000),
        ...(address.credentials
          ? { username: address.credentials.username, password: address.credentials.password }
          : {}),
        ...(ca !== undefined ? { ca } : {}),
      });
    } catch (err) {
      throw new CliError(EXIT.unreachable, `cannot watch ${address.url}: ${(err as Error).message}`);
    }
    try {
      const view = new FleetView();
      port.onMessage((m) => view.onMessage(m.topic, m.payload, ctx.now()));
      if (flags.monitor) {
        if (name !== undefined) view.only([name]);
        await subscribe(port, name);
        await loop(ctx, flags, view, async () => {});
        return;
      }
      await withRpcClient(ctx, flags, async (rpc) => {
        const refresh = await scope(rpc, view, name, flags.selector);
        await subscribe(port, name !== undefined ? await onlyId(rpc, name) : undefined);
        await loop(ctx, flags, view, refresh);
      });
    } finally {
      await port.close(true);
    }
  });
}

async function subscribe(port: MqttPort, nodeId: string | undefined): Promise<void> {
  const t = (k: 'status' | 'telemetry') => (nodeId ? topics.node(nodeId, k) : topics.allNodes(k));
  try {
    await port.subscribe([t('status'), t('telemetry')], 0);
  } catch (err) {
    throw new CliError(EXIT.refused, `cannot subscribe to the node topics: ${(err as Error).message}`);
  }
}

async function onlyId(rpc: RpcClient, name: string): Promise<string> {
  return (await rpc.call('nodes.show', { name })).nodeId;
}

/** Limit the view to a name or selector, and return how to refresh names and phases. */
async function scope(
  rpc: RpcClient,
  view: FleetView,
  name: string | undefined,
  selector: string | undefined,
): Promise<() => Promise<void>> {
  const ids = new Set<string>();
  if (name !== undefined || selector !== undefined) {
    const t = await rpc.call('commands.targets', {
      names: name !== undefined ? [name] : [],
      ...(selector !== undefined ? { selector } : {}),
    });
    for (const n of t.nodes) ids.add(n.nodeId);
    view.only(ids);
  }
  return async () => view.onNodeList(await rpc.call('nodes.list', {}));
}

async function loop(
  ctx: CliContext,
  flags: WatchFlags,
  view: FleetView,
  refresh: () => Promise<void>,
): Promise<void> {
  const out = ctx.io.stdout;
  const draw = () => {
    const at = ctx.now();
    const rows = view.rows();
    if (flags.output !== 'table') {
      out.write(`${JSON.stringify({ at: at.toISOString(), nodes: rows })}\n`);
      return;
    }
    const table = watchTable(rows, at);
    out.write(out.isTTY && !flags.once ? `${CLEAR}${table}` : `${table}\n`);
  };
  await refresh();
  if (flags.once) {
    await new Promise((r) => setTimeout(r, flags.window * 1000));
    await refresh();
    draw();
    return;
  }
  let stopped = false;
  const stop = ctx.io.waitForShutdown?.() ?? new Promise<string>(() => {});
  void stop.then(() => {
    stopped = true;
  });
  let lastRefresh = Date.now();
  while (!stopped) {
    draw();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((r) => (timer = setTimeout(r, flags.interval * 1000))), stop]);
    clearTimeout(timer);
    // Names and phases change slowly; the topics carry the rest.
    if (!stopped && Date.now() - lastRefresh >= 5_000) {
      await refresh();
      lastRefresh = Date.now();
    }
  }
}
