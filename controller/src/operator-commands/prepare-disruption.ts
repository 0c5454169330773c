// What must happen before a reboot or reprovision reaches a node, whether through its agent or its
// power hook: cordon and drain a node that may run workloads, and for a netboot reprovision reset
// its root on the server and let the fresh board claim again.
import type { CommandState } from '@osbuild/shared';
import type { Clock } from '../host/clock.js';
import type { NodePhases } from '../lifecycle/node-phase.js';
import type { PlanPort } from '../provisioning/plan-port.js';
import type { CommandRow } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import { type Disruption, type NetbootReset, noDisruption } from './ports.js';

// Phases of a node that may run workloads: only these are drained before a disruption.
const JOINED = new Set(['joined', 'ready']);

/** What {@link prepareDisruption} needs from the command service. */
export interface PrepareDeps {
  store: Store;
  clock: Clock;
  plan: PlanPort;
  /** The owner of node phases (reprovisioning, a failed reset). */
  phases: Pick<NodePhases, 'move'>;
  disruption?: Disruption;
  netbootReset?: NetbootReset;
  nameOf(nodeId: string): string;
  finish(id: string, state: CommandState, reason: string): void;
}

/**
 * True when {@link prepareDisruption} has work to do. Callers skip the await otherwise, so a
 * command with nothing to prepare is sent before `create` returns (its view says `sent`).
 */
export function needsPreparation(row: CommandRow, node: NodeRecord): boolean {
  const disruptive = row.action === 'reboot' || row.action === 'reprovision';
  return (
    (disruptive && JOINED.has(node.phase)) || (row.action === 'reprovision' && node.boot_source === 'netboot')
  );
}

/** Drain (joined nodes) and reset a netboot root. False when that failed and the command is finished. */
export async function prepareDisruption(d: PrepareDeps, row: CommandRow, node: NodeRecord): Promise<boolean> {
  const id = row.id;
  const name = d.nameOf(node.node_id);
  const force = row.force === 1;
  const disruptive = row.action === 'reboot' || row.action === 'reprovision';
  if (disruptive && JOINED.has(node.phase)) {
    d.store.commands.setState(id, 'queued', force ? 'cordoning (drain skipped: --force)' : 'draining');
    try {
      await (d.disruption ?? noDisruption).beforeDisruption(node, {
        force,
        action: row.action === 'reboot' ? 'reboot' : 'reprovision',
      });
    } catch (err) {
      d.finish(id, 'failed', `draining ${name} failed: ${(err as Error).message}`);
      return false;
    }
  }
  if (row.action !== 'reprovision' || node.boot_source !== 'netboot') return true;
  const reset = d.netbootReset;
  if (!reset) {
    d.finish(id, 'rejected', 'netboot reprovision needs the netboot root reset, which is not configured');
    return false;
  }
  d.store.commands.setState(id, 'queued', `resetting the netboot root of ${name}`);
  try {
    await reset.resetRoot(name, { nodeId: node.node_id, force });
  } catch (err) {
    d.finish(id, 'failed', `resetting the netboot root failed: ${(err as Error).message}`);
    return false;
  }
  afterNetbootReset(d, row);
  return true;
}

/** The fresh root holds no credential: let the board claim again and plan it afresh. */
function afterNetbootReset(d: PrepareDeps, row: CommandRow): void {
  const at = d.clock.now();
  const windowEnd = new Date(at.getTime() + row.timeout_sec * 1000).toISOString();
  d.store.tx(() => {
    const node = d.store.nodes.get(row.node_id);
    if (!node) return;
    d.store.principals.openWindow({
      node_id: row.node_id,
      purpose: 'reprovision',
      opened_at: at.toISOString(),
      expires_at: windowEnd,
    });
    d.plan.forget(node, `reprovision command ${row.id}: netboot root reset`);
    d.store.events.append(row.node_id, 'netboot-root-reset', { cmdId: row.id }, at.toISOString());
  });
}
