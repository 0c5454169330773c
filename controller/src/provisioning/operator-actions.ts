import { type NodeRole, UserError } from '@osbuild/shared';
import type { NodeRow } from '../store/node-store.js';
import { type Lifecycle, UNSETTLED } from './lifecycle.js';

/** Operator approval of a pending node as `hostname` (an inventory entry, or a new host with `role`). */
export function approveNode(
  l: Lifecycle,
  nodeId: string,
  hostname: string,
  role: NodeRole | undefined,
): NodeRow {
  const outbox = l.d.store.tx(() => {
    const node = l.d.store.nodes.get(nodeId);
    if (!node) throw new UserError('not-found', `no node with id ${nodeId}`);
    if (node.conflict_of !== null) {
      throw new UserError(
        'invalid-state',
        `${nodeId} records a conflict; open a window with \`osbuild nodes reprovision ${node.conflict_of}\` instead`,
      );
    }
    if (!(UNSETTLED as readonly string[]).includes(node.phase)) {
      throw new UserError(
        'invalid-state',
        `node ${nodeId} is ${node.phase}; only pending nodes can be approved`,
      );
    }
    const entry = l.d.inventory().nodes.find((n) => n.hostname === hostname);
    if (entry && role && entry.role !== role) {
      throw new UserError('bad-request', `${hostname} is a ${entry.role} in the inventory, not a ${role}`);
    }
    if (!entry && !role) {
      throw new UserError(
        'bad-request',
        `${hostname} is not in the inventory: say which role it has (--role)`,
      );
    }
    const holder = l.d.store.nodes.findByHostname(hostname);
    if (holder && holder.node_id !== nodeId) {
      throw new UserError('conflict', `${hostname} is already held by node ${holder.node_id}`);
    }
    const now = l.now();
    l.d.store.approvals.put({ nodeId, hostname, role: role ?? null, approvedAt: now });
    l.d.store.events.append(nodeId, 'approved', { hostname, role: role ?? entry?.role }, now);
    return l.advance(nodeId);
  });
  l.flush(outbox);
  const node = l.d.store.nodes.get(nodeId);
  if (!node) throw new Error(`node ${nodeId} vanished`);
  return node;
}

/**
 * Operator retry. A failed node resumes at its failed step with a fresh attempt budget; with
 * `fromStart` a failed or provisioned node gets a new run planned from the current inventory.
 */
export function retryNode(l: Lifecycle, name: string, fromStart: boolean): NodeRow {
  const nodeId = l.d.store.tx(() => {
    const node = l.d.store.nodes.findByName(name);
    if (!node) throw new UserError('not-found', `no node named ${name}`);
    const now = l.now();
    if (fromStart) {
      if (node.phase !== 'failed' && node.phase !== 'provisioned') {
        throw new UserError(
          'invalid-state',
          `${name} is ${node.phase}; only failed or provisioned nodes start over`,
        );
      }
      l.d.store.events.append(node.node_id, 'retry', { fromStart: true }, now);
      l.restart(node, 'an operator asked to provision it again');
      return node.node_id;
    }
    const failed = node.current_run_id ? l.d.store.runs.lastFailedStep(node.current_run_id) : undefined;
    if (node.phase !== 'failed' || !node.current_run_id || !failed) {
      throw new UserError(
        'invalid-state',
        `${name} is ${node.phase}, not failed; use --from-start to provision it again`,
      );
    }
    const budget = failed.attempt + 1 + l.d.inventory().defaults.stepRetries;
    l.d.store.runs.reopen(node.current_run_id, failed.idx, budget, now);
    l.d.store.events.append(node.node_id, 'retry', { fromStart: false, index: failed.idx }, now);
    l.setPhase(
      node.node_id,
      'provisioning',
      `an operator asked to retry step ${failed.idx} (${failed.kind})`,
    );
    return node.node_id;
  });
  l.flush(l.d.store.tx(() => l.advance(nodeId)));
  const node = l.d.store.nodes.get(nodeId);
  if (!node) throw new Error(`node ${nodeId} vanished`);
  return node;
}
