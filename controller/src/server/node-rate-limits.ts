// What one node may publish, per topic kind: a node that floods (a bug, a compromised board) is
// cut to its rate before its messages are parsed or stored, and every other node is unaffected.
import type { NodeEvent, NodeTopicKind } from '@osbuild/shared';
import type { Logger } from 'pino';
import { RateLimiter } from '../auth/rate-limiter.js';
import type { Clock } from '../host/clock.js';
import type { PeriodicJob } from '../lifecycle/service.js';
import type { NodeRateLimits as Limits } from './controller-options.js';

/** What a node's message is counted as: its topic kind, or `log-bytes` for the text it carries. */
export type NodeRateKind = keyof Limits;

/** Drop counts: by kind over all nodes, and by node for the nodes that dropped most. */
export interface DroppedMessages {
  byKind: Record<string, number>;
  byNode: Record<string, Record<string, number>>;
}

/** Nodes listed by name in {@link DroppedMessages.byNode} and logged by name per window. */
const LISTED_NODES = 20;
/** Nodes whose drops are counted by name; past it drops still count by kind (memory stays bounded). */
const MAX_COUNTED_NODES = 100_000;

/**
 * Per-node token buckets for node messages (`hello`, `status`, `telemetry`, `cmd-result`, `events`)
 * and for `log-bytes`, the text of command output and agent logs. A message over its rate is
 * dropped: counted by node and kind, and logged once per node per window with the count, by the
 * `node-rate-limits.log` job, so a flood costs one log line per window and not one per message.
 */
export class NodeRateLimits {
  readonly #buckets: Record<NodeRateKind, RateLimiter>;
  readonly #byKind = new Map<NodeRateKind, number>();
  readonly #byNode = new Map<string, Map<NodeRateKind, number>>();
  /** Drops since the last log line, per node. */
  readonly #unlogged = new Map<string, Map<NodeRateKind, number>>();

  constructor(private readonly deps: { limits: Limits; clock: Clock; logger: Logger; logWindowMs: number }) {
    const now = () => deps.clock.now().getTime();
    const bucket = (k: NodeRateKind) => new RateLimiter({ ...deps.limits[k], now });
    this.#buckets = {
      hello: bucket('hello'),
      status: bucket('status'),
      telemetry: bucket('telemetry'),
      'cmd-result': bucket('cmd-result'),
      events: bucket('events'),
      'log-bytes': bucket('log-bytes'),
    };
  }

  /** Whether `nodeId` may send `cost` of `kind` now; counts the drop when not. */
  admit(nodeId: string, kind: NodeRateKind, cost = 1): boolean {
    // A cost above the burst could never pass; it passes when the bucket is full.
    const take = Math.min(cost, this.deps.limits[kind].burst);
    if (this.#buckets[kind].take(nodeId, take)) return true;
    this.#count(nodeId, kind);
    return false;
  }

  /** The message router's check, by topic kind before parsing; kinds without a limit pass. */
  admitMessage(nodeId: string, topicKind: NodeTopicKind): boolean {
    switch (topicKind) {
      case 'hello':
      case 'status':
      case 'telemetry':
      case 'cmd-result':
      case 'events':
        return this.admit(nodeId, topicKind);
      default:
        // Claims have their own limit (claimsPerNode); welcome and cmd are the controller's own.
        return true;
    }
  }

  /** Whether the line an event carries may be stored: its text counts against `log-bytes`. */
  admitLogEvent(nodeId: string, event: NodeEvent): boolean {
    const text = event.type === 'command-output' ? event.text : event.type === 'log' ? event.msg : '';
    return text === '' || this.admit(nodeId, 'log-bytes', Buffer.byteLength(text));
  }

  /** Cumulative drops, for controller.stats and the metrics. */
  dropped(): DroppedMessages {
    const top = [...this.#byNode]
      .map(([node, kinds]) => [node, kinds, sum(kinds)] as const)
      .sort((a, b) => b[2] - a[2])
      .slice(0, LISTED_NODES);
    return {
      byKind: Object.fromEntries(this.#byKind),
      byNode: Object.fromEntries(top.map(([node, kinds]) => [node, Object.fromEntries(kinds)])),
    };
  }

  /** Every node's cumulative drops by kind (the metrics' per-node series). */
  droppedByNode(): ReadonlyMap<string, ReadonlyMap<string, number>> {
    return this.#byNode;
  }

  /** Log one line per node that dropped since the last call (the nodes that dropped most by name). */
  logDrops(): void {
    if (this.#unlogged.size === 0) return;
    const windowSec = this.deps.logWindowMs / 1000;
    const nodes = [...this.#unlogged].sort((a, b) => sum(b[1]) - sum(a[1]));
    for (const [nodeId, kinds] of nodes.slice(0, LISTED_NODES)) {
      this.deps.logger.warn(
        { nodeId, dropped: Object.fromEntries(kinds), windowSec },
        'node messages dropped over the per-node rate limit',
      );
    }
    const rest = nodes.slice(LISTED_NODES);
    if (rest.length > 0) {
      const dropped = rest.reduce((n, [, kinds]) => n + sum(kinds), 0);
      this.deps.logger.warn(
        { nodes: rest.length, dropped, windowSec },
        'more nodes dropped messages over the per-node rate limit',
      );
    }
    this.#unlogged.clear();
  }

  /** The periodic job that writes the drop log lines. */
  job(): PeriodicJob {
    return { name: 'node-rate-limits.log', everyMs: this.deps.logWindowMs, run: () => this.logDrops() };
  }

  #count(nodeId: string, kind: NodeRateKind): void {
    this.#byKind.set(kind, (this.#byKind.get(kind) ?? 0) + 1);
    for (const counts of [this.#byNode, this.#unlogged]) {
      let kinds = counts.get(nodeId);
      if (!kinds) {
        if (counts.size >= MAX_COUNTED_NODES) continue;
        kinds = new Map();
        counts.set(nodeId, kinds);
      }
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
  }
}

function sum(kinds: ReadonlyMap<string, number>): number {
  let n = 0;
  for (const v of kinds.values()) n += v;
  return n;
}
