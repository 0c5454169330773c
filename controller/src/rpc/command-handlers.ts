import { type RpcMethod, type RpcParams, type RpcResult, UserError } from '@osbuild/shared';
import type { CommandService } from '../operator-commands/command-service.js';
import { toEventView, toLogLineView } from '../operator-commands/command-views.js';
import { matchesSelector, parseSelector } from '../operator-commands/selector.js';
import type { Store } from '../store/store.js';
import type { RpcCaller } from './rpc-server.js';

type CommandMethod =
  | 'commands.targets'
  | 'commands.create'
  | 'commands.show'
  | 'commands.list'
  | 'events.list'
  | 'logs.get';

/** Handlers of operator commands, events and logs. */
export type CommandHandlers = {
  [M in CommandMethod & RpcMethod]: (params: RpcParams<M>, caller: RpcCaller) => RpcResult<M>;
};

/** Labels a node carries for selectors: the inventory's defaults and its own, plus `role`. */
export function inventoryLabels(inventory: {
  defaults: { labels: Record<string, string> };
  nodes: { hostname: string; role: string; labels?: Record<string, string> | undefined }[];
}): Map<string, Record<string, string>> {
  return new Map(
    inventory.nodes.map((n) => [n.hostname, { role: n.role, ...inventory.defaults.labels, ...n.labels }]),
  );
}

/** Build the handlers; `commands` owns every state change. */
export function makeCommandHandlers(deps: {
  store: Store;
  commands: CommandService;
  labels(): Map<string, Record<string, string>>;
}): CommandHandlers {
  const nameOf = (nodeId: string | null) =>
    nodeId === null ? null : (deps.store.nodes.get(nodeId)?.hostname ?? nodeId);
  return {
    'commands.targets': ({ names, selector }) => {
      if (names.length === 0 && selector === undefined) {
        throw new UserError('bad-request', 'give at least one node name or a label selector (-l)');
      }
      const seen = new Set<string>();
      const nodes: RpcResult<'commands.targets'>['nodes'] = [];
      const add = (n: NonNullable<ReturnType<Store['nodes']['get']>>) => {
        if (seen.has(n.node_id)) return;
        seen.add(n.node_id);
        nodes.push({
          name: n.hostname ?? n.node_id,
          nodeId: n.node_id,
          online: n.online,
          phase: n.phase,
        });
      };
      for (const name of names) {
        const n = deps.store.nodes.findByName(name);
        if (!n || n.conflict_of !== null) throw new UserError('not-found', `no node named ${name}`);
        add(n);
      }
      const unseen: string[] = [];
      if (selector !== undefined) {
        const reqs = parseSelector(selector);
        for (const [hostname, labels] of deps.labels()) {
          if (!matchesSelector(reqs, labels)) continue;
          const n = deps.store.nodes.findByHostname(hostname);
          if (n) add(n);
          else unseen.push(hostname);
        }
      }
      return { nodes, unseen };
    },
    'commands.create': (params, caller) => deps.commands.create(params, caller.name),
    'commands.show': ({ id }) => deps.commands.get(id),
    'commands.list': ({ name, limit }) => deps.commands.list(name, limit ?? 100),
    'events.list': ({ name, afterId, limit }) => {
      let nodeId: string | undefined;
      if (name !== undefined) {
        const n = deps.store.nodes.findByName(name);
        if (!n) throw new UserError('not-found', `no node named ${name}`);
        nodeId = n.node_id;
      }
      return deps.store.events
        .list({ ...(nodeId ? { nodeId } : {}), afterId: afterId ?? 0, limit: limit ?? 100 })
        .map((e) => toEventView(e, nameOf(e.node_id)));
    },
    'logs.get': ({ name, afterId, limit }) => {
      const n = deps.store.nodes.findByName(name);
      if (!n) throw new UserError('not-found', `no node named ${name}`);
      return deps.store.logs.list(n.node_id, afterId ?? 0, limit ?? 200).map(toLogLineView);
    },
  };
}
