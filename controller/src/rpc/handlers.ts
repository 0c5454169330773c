import {
  type ClusterStatusView,
  type NodeCondition,
  type RpcMethod,
  type RpcParams,
  type RpcResult,
  UserError,
} from '@osbuild/shared';
import type { Principal } from '../broker/access-policy.js';
import type { Clock } from '../host/clock.js';
import type { InventoryStatus } from '../inventory/inventory-source.js';
import type { Provisioner } from '../provisioning/provisioner.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import type { CommandHandlers } from './command-handlers.js';
import { toDetail, toSummary, toWhy } from './node-views.js';
import type { RpcCaller } from './rpc-server.js';
import { makeSecurityHandlers } from './security-handlers.js';

/** What the operator methods read. */
export interface HandlerDeps {
  store: Store;
  provisioner: Provisioner;
  version: string;
  startedAt: string;
  inventoryStatus(): InventoryStatus;
  rejectedMessages(): Record<string, number>;
  /** Node messages dropped over their rate and rows deleted over a node's quota (controller.stats). */
  nodeLimits?(): RpcResult<'controller.stats'>['nodeLimits'];
  failedLogins(): number;
  clock: Clock;
  disconnect(clientId: string): void;
  disconnectWhere(match: (p: Principal) => boolean): number;
  /** Health conditions of a node now (health/conditions.ts); none when not given. */
  conditionsOf?(n: NodeRecord): NodeCondition[];
  /** Operator commands, events and logs (rpc/command-handlers.ts). */
  commandHandlers: CommandHandlers;
  /** Why a joined node's Kubernetes Node is not Ready (kubernetes/cluster-manager.ts). */
  kubeNotReady?(hostname: string): string | null;
  /** Cluster status for `osbuild cluster status`. */
  clusterStatus?(): ClusterStatusView;
}

/** One handler per method; the mapped type makes a method without a handler a compile error. */
export type Handlers = {
  [M in RpcMethod]: (params: RpcParams<M>, caller: RpcCaller) => RpcResult<M> | Promise<RpcResult<M>>;
};

/** Build the operator method table. */
export function makeHandlers(deps: HandlerDeps): Handlers {
  const findNode = (name: string) => {
    const node = deps.store.nodes.findByName(name);
    if (!node) throw new UserError('not-found', `no node named ${name} (give a hostname or a node id)`);
    return node;
  };
  const conditions = (n: NodeRecord) => deps.conditionsOf?.(n) ?? [];
  const summary = (n: NodeRecord) => toSummary(n, conditions(n));
  return {
    ...makeSecurityHandlers(deps),
    ...deps.commandHandlers,
    'nodes.list': () => deps.store.nodes.list().map(summary),
    'nodes.show': ({ name }) => {
      const n = findNode(name);
      return toDetail(deps.store, n, conditions(n));
    },
    'nodes.why': ({ name }) => {
      const n = findNode(name);
      return toWhy(
        deps.store,
        n,
        conditions(n),
        n.hostname ? (deps.kubeNotReady?.(n.hostname) ?? null) : null,
      );
    },
    'nodes.approve': ({ nodeId, hostname, role }) =>
      summary(deps.provisioner.approve(nodeId, hostname, role)),
    'nodes.retry': ({ name, fromStart }) => summary(deps.provisioner.retry(name, fromStart ?? false)),
    'cluster.status': () =>
      deps.clusterStatus?.() ?? { managed: false, server: null, controlPlaneOperation: null, nodes: [] },
    'controller.stats': () => ({
      version: deps.version,
      startedAt: deps.startedAt,
      nodes: deps.store.nodes.count(),
      inventory: deps.inventoryStatus(),
      rejectedMessages: deps.rejectedMessages(),
      failedLogins: deps.failedLogins(),
      ...(deps.nodeLimits ? { nodeLimits: deps.nodeLimits() } : {}),
    }),
  };
}
