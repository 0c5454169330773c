// What must happen before a reboot or reprovision reaches a node, whether through its agent or its
// power hook: cordon and drain a node that may run workloads (`draining`), and for a netboot
// reprovision reset its root on the server (`resetting`) and let the fresh board claim again.
import type { Clock } from '../host/clock.js';
import type { CommandStates } from '../lifecycle/command-state.js';
import type { PlanPort } from '../provisioning/plan-port.js';
import type { CommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import { needsDrain, needsRootReset } from './delivery-decisions.js';
import { type Disruption, type NetbootReset, noDisruption } from './ports.js';

/** What {@link prepareDisruption} needs from the command service. */
export interface PrepareDeps {
  store: Pick<Store, 'tx' | 'nodes' | 'principals' | 'events'>;
  clock: Clock;
  states: Pick<CommandStates, 'move'>;
  provisioning: Pick<PlanPort, 'forget'>;
  disruption?: Disruption;
  netbootReset?: NetbootReset;
  nameOf(nodeId: string): string;
}

/**
 * Drain (joined nodes) and reset a netboot root, each as a state of the command. False when that
 * failed and the command is finished. The first state change happens before the first await, so
 * the view `create` returns already says `draining` or `resetting`.
 */
export async function prepareDisruption(
  deps: PrepareDeps,
  cmd: CommandRecord,
  node: NodeRecord,
): Promise<boolean> {
  if (needsDrain(cmd, node) && !(await drain(deps, cmd, node))) return false;
  if (!needsRootReset(cmd, node)) return true;
  return resetRoot(deps, cmd, node);
}

async function drain(deps: PrepareDeps, cmd: CommandRecord, node: NodeRecord): Promise<boolean> {
  const name = deps.nameOf(node.node_id);
  deps.states.move(cmd.id, 'draining', cmd.force ? 'cordoning (drain skipped: --force)' : 'draining');
  try {
    await (deps.disruption ?? noDisruption).beforeDisruption(node, {
      force: cmd.force,
      action: cmd.action === 'reboot' ? 'reboot' : 'reprovision',
    });
    return true;
  } catch (err) {
    deps.states.move(cmd.id, 'failed', `draining ${name} failed: ${(err as Error).message}`);
    return false;
  }
}

async function resetRoot(deps: PrepareDeps, cmd: CommandRecord, node: NodeRecord): Promise<boolean> {
  const reset = deps.netbootReset;
  if (!reset) {
    deps.states.move(
      cmd.id,
      'rejected',
      'netboot reprovision needs the netboot root reset, which is not configured',
    );
    return false;
  }
  const name = deps.nameOf(node.node_id);
  deps.states.move(cmd.id, 'resetting', `resetting the netboot root of ${name}`);
  try {
    await reset.resetRoot(name, { nodeId: node.node_id, force: cmd.force });
  } catch (err) {
    deps.states.move(cmd.id, 'failed', `resetting the netboot root failed: ${(err as Error).message}`);
    return false;
  }
  afterNetbootReset(deps, cmd);
  return true;
}

/** The fresh root holds no credential: let the board claim again and plan it afresh. */
function afterNetbootReset(deps: PrepareDeps, cmd: CommandRecord): void {
  const at = deps.clock.now();
  const windowEnd = new Date(at.getTime() + cmd.timeout_sec * 1000).toISOString();
  deps.store.tx(() => {
    const node = deps.store.nodes.get(cmd.node_id);
    if (!node) return;
    deps.store.principals.openWindow({
      node_id: cmd.node_id,
      purpose: 'reprovision',
      opened_at: at.toISOString(),
      expires_at: windowEnd,
    });
    deps.provisioning.forget(node, `reprovision command ${cmd.id}: netboot root reset`);
    deps.store.events.append(cmd.node_id, 'netboot-root-reset', { cmdId: cmd.id }, at.toISOString());
  });
}
