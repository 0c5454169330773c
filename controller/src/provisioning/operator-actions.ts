import { type NodeRole, UserError } from '@osbuild/shared';
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { NodeRecord } from '../store/node-store.js';
import type { ProvisioningCore } from './provisioning-core.js';

/** Operator approval of a pending node as `hostname` (an inventory entry, or a new host with `role`). */
export function approveNode(
  core: ProvisioningCore,
  nodeId: string,
  hostname: string,
  role: NodeRole | undefined,
): NodeRecord {
  const outbox = core.deps.store.tx(() => {
    const node = core.deps.store.nodes.get(nodeId);
    if (!node) throw new UserError('not-found', `no node with id ${nodeId}`);
    if (node.conflict_of !== null) {
      throw new UserError(
        'invalid-state',
        `${nodeId} records a conflict; open a window with \`osbuild nodes allow-reclaim ${node.conflict_of}\` instead`,
      );
    }
    if (!inPhaseGroup('unsettled', node.phase)) {
      throw new UserError(
        'invalid-state',
        `node ${nodeId} is ${node.phase}; only pending nodes can be approved`,
      );
    }
    const entry = core.deps.inventory().nodes.find((n) => n.hostname === hostname);
    if (entry && role && entry.role !== role) {
      throw new UserError('bad-request', `${hostname} is a ${entry.role} in the inventory, not a ${role}`);
    }
    if (!entry && !role) {
      throw new UserError(
        'bad-request',
        `${hostname} is not in the inventory: say which role it has (--role)`,
      );
    }
    const holder = core.deps.store.nodes.findByHostname(hostname);
    if (holder && holder.node_id !== nodeId) {
      throw new UserError('conflict', `${hostname} is already held by node ${holder.node_id}`);
    }
    const now = core.now();
    core.deps.store.approvals.put({ nodeId, hostname, role: role ?? null, approvedAt: now });
    core.deps.store.events.append(nodeId, 'approved', { hostname, role: role ?? entry?.role }, now);
    return core.advance(nodeId);
  });
  core.send(outbox);
  const node = core.deps.store.nodes.get(nodeId);
  if (!node) throw new Error(`node ${nodeId} vanished`);
  return node;
}

/**
 * Operator retry. A failed node resumes at its failed step with a fresh attempt budget; with
 * `fromStart` a failed or provisioned node gets a new run planned from the current inventory.
 */
export function retryNode(core: ProvisioningCore, name: string, fromStart: boolean): NodeRecord {
  const nodeId = core.deps.store.tx(() => {
    const node = core.deps.store.nodes.findByName(name);
    if (!node) throw new UserError('not-found', `no node named ${name}`);
    const now = core.now();
    if (fromStart) {
      if (!inPhaseGroup('restartable', node.phase)) {
        throw new UserError(
          'invalid-state',
          `${name} is ${node.phase}; only failed or provisioned nodes start over`,
        );
      }
      core.deps.store.events.append(node.node_id, 'retry', { fromStart: true }, now);
      core.forget(node, 'an operator asked to provision it again');
      return node.node_id;
    }
    const failed = node.current_run_id ? core.deps.store.runs.lastFailedStep(node.current_run_id) : undefined;
    if (node.phase !== 'failed' || !node.current_run_id || !failed) {
      throw new UserError(
        'invalid-state',
        `${name} is ${node.phase}, not failed; use --from-start to provision it again`,
      );
    }
    const budget = failed.attempt + 1 + core.deps.inventory().defaults.stepRetries;
    core.deps.store.runs.reopen(node.current_run_id, failed.idx, budget, now);
    core.deps.store.events.append(node.node_id, 'retry', { fromStart: false, index: failed.idx }, now);
    core.deps.phases.move(
      node.node_id,
      'provisioning',
      `an operator asked to retry step ${failed.idx} (${failed.kind})`,
    );
    return node.node_id;
  });
  core.send(core.deps.store.tx(() => core.advance(nodeId)));
  const node = core.deps.store.nodes.get(nodeId);
  if (!node) throw new Error(`node ${nodeId} vanished`);
  return node;
}
