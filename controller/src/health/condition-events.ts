import type { NodeCondition } from '@osbuild/shared';
import type { Clock } from '../host/clock.js';
import type { HeldCondition } from '../store/condition-store.js';
import type { NodeBrief } from '../store/node-store.js';
import type { Store } from '../store/store.js';

/** One condition per type: the most severe instance, reasons joined (disk-full may name two mounts). */
function byType(conditions: readonly NodeCondition[]): Map<string, { severity: string; reason: string }> {
  const out = new Map<string, { severity: string; reason: string }>();
  for (const c of conditions) {
    const prev = out.get(c.type);
    if (!prev) out.set(c.type, { severity: c.severity, reason: c.reason });
    else {
      out.set(c.type, {
        severity: prev.severity === 'critical' || c.severity === 'critical' ? 'critical' : 'warning',
        reason: `${prev.reason}; ${c.reason}`,
      });
    }
  }
  return out;
}

/**
 * Turns the conditions derived at read time (health/conditions.ts) into events when they change:
 * `condition-raised` when a type appears or its severity changes, `condition-cleared` when it goes.
 * What was last reported is kept in the store, so a controller restart does not repeat events.
 */
export class ConditionEvents {
  constructor(
    private readonly store: Store,
    private readonly evaluate: (n: NodeBrief) => NodeCondition[],
    private readonly clock: Clock,
  ) {}

  /** Compare one node's conditions now with what was last reported; returns the events written. */
  check(nodeId: string): number {
    const node = this.store.nodes.get(nodeId);
    if (!node) return 0;
    return this.checkRow(node, this.store.conditions.ofNode(nodeId));
  }

  /** Check every node (staleness changes with time alone, without any message arriving). */
  checkAll(): number {
    // Two queries per pass, not two per node: at thousands of nodes every 5 s that is the
    // difference between a few and a few hundred milliseconds of event loop.
    const heldByNode = this.store.conditions.byNode();
    let n = 0;
    for (const node of this.store.nodes.listBrief())
      n += this.checkRow(node, heldByNode.get(node.node_id) ?? []);
    return n;
  }

  private checkRow(node: NodeBrief, held: readonly HeldCondition[]): number {
    if (node.conflict_of !== null) return 0;
    const nodeId = node.node_id;
    const now = byType(this.evaluate(node));
    const at = this.clock.now().toISOString();
    const heldByType = new Map(held.map((h) => [h.type, h]));
    const unchanged =
      held.every((h) => now.has(h.type)) &&
      [...now].every(([type, c]) => heldByType.get(type)?.severity === c.severity);
    // Nearly every check finds nothing new; a write transaction per node per pass would be wasted.
    if (unchanged) return 0;
    return this.store.tx(() => {
      let written = 0;
      for (const [type, c] of now) {
        const prev = heldByType.get(type);
        if (prev && prev.severity === c.severity) continue;
        this.store.conditions.hold({
          node_id: nodeId,
          type,
          severity: c.severity,
          reason: c.reason,
          since: prev?.since ?? at,
        });
        this.store.events.append(
          nodeId,
          'condition-raised',
          { type, severity: c.severity, reason: c.reason, ...(prev ? { was: prev.severity } : {}) },
          at,
        );
        written += 1;
      }
      for (const h of held) {
        if (now.has(h.type)) continue;
        this.store.conditions.clear(nodeId, h.type);
        this.store.events.append(nodeId, 'condition-cleared', { type: h.type, since: h.since }, at);
        written += 1;
      }
      return written;
    });
  }
}
