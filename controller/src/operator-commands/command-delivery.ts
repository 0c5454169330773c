// Getting a queued command to its node: prepare it (drain, netboot root reset), then publish it to
// the agent, or run the power hook of an offline node. Every state change is written before any
// message goes out, so a controller restart resumes from the store.
import { type Command, PROTOCOL_VERSION } from '@osbuild/shared';
import { inPhaseGroup } from '../lifecycle/node-phase.js';
import type { CommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { CommandContext } from './command-context.js';
import { deliveryRoute, needsPreparation, readyToSend, resetsThroughAgent } from './delivery-decisions.js';
import { powerCycle } from './power-cycle.js';
import { prepareDisruption } from './prepare-disruption.js';
import { isStranded, strandedReason } from './sweep-decisions.js';

/** The message the agent gets for a command. */
export function commandMessage(cmd: CommandRecord, now: Date): Command {
  return {
    v: PROTOCOL_VERSION,
    id: cmd.id,
    deadline: cmd.deadline ?? now.toISOString(),
    ...(cmd.idempotency_key ? { idempotencyKey: cmd.idempotency_key } : {}),
    body: cmd.body,
  };
}

/** Delivers commands and knows which of them this process is preparing. */
export class CommandDelivery {
  /** Commands whose drain, netboot reset or power hook is under way, so a second hello does not start another. */
  readonly #preparing = new Set<string>();

  /** `onBoot` re-runs the hello check after a power hook: the node may already be back. */
  constructor(
    private readonly deps: CommandContext,
    private readonly onBoot: (nodeId: string, bootId: string) => void,
  ) {}

  /** True while this process drains, resets or power-cycles for `id`. */
  isPreparing(id: string): boolean {
    return this.#preparing.has(id);
  }

  /**
   * A preparation found in the store that this process is not running (the controller restarted
   * during it, or the node went offline before the send) goes back to `queued`, so delivery
   * prepares it again: the drain runs again after a restart, as it always did.
   */
  requeueIfStranded(cmd: CommandRecord): CommandRecord {
    if (!isStranded(cmd, this.#preparing.has(cmd.id))) return cmd;
    const reason = strandedReason(cmd.state, this.deps.nameOf(cmd.node_id));
    this.deps.states.move(cmd.id, 'queued', reason);
    return { ...cmd, state: 'queued', reason };
  }

  /** Start delivering `id` if it is queued and its node reachable; never throws. */
  deliver(id: string): void {
    void this.#deliver(id);
  }

  /** Send an unacknowledged command again with the same id; the agent recognises a duplicate. */
  resend(cmd: CommandRecord): void {
    this.deps.store.commands.countDelivery(cmd.id);
    this.deps.send(cmd.node_id, commandMessage(cmd, this.deps.clock.now()));
  }

  /**
   * Send a queued command if its node is online: drain first (joined nodes, unless forced), reset
   * a netboot root first (netboot reprovision), then publish. An offline node with a power hook
   * gets the same preparation, then its hook instead of the message.
   */
  async #deliver(id: string): Promise<void> {
    if (this.#preparing.has(id)) return;
    const target = this.#queued(id);
    if (!target) return;
    const { cmd, node } = target;
    const hooks = this.deps.powerHooks;
    const hookConfigured = hooks?.hookFor(this.deps.nameOf(node.node_id)) !== undefined;
    const route = deliveryRoute(cmd, node, hookConfigured);
    if (route === 'wait') return;
    this.#preparing.add(id);
    try {
      // No await before the first state change: `create` returns the prepared state already.
      const ready = !needsPreparation(cmd, node) || (await prepareDisruption(this.deps, cmd, node));
      if (!ready) return;
      if (route === 'agent' || !hooks) {
        this.#sendIfReady(id);
        return;
      }
      await powerCycle({ ...this.deps, hooks, recheck: (nodeId) => this.#recheck(nodeId) }, cmd, node);
    } catch (err) {
      this.deps.logger.error({ err, cmdId: id }, 'delivering a command failed');
    } finally {
      this.#preparing.delete(id);
    }
  }

  /** The command and its node when the command waits in the queue (stranded ones queued again). */
  #queued(id: string): { cmd: CommandRecord; node: NodeRecord } | undefined {
    const found = this.deps.store.commands.get(id);
    const node = found && this.deps.store.nodes.get(found.node_id);
    if (!found || !node) return undefined;
    const cmd = this.requeueIfStranded(found);
    return cmd.state === 'queued' ? { cmd, node } : undefined;
  }

  #recheck(nodeId: string): void {
    const node = this.deps.store.nodes.get(nodeId);
    if (node?.online && node.boot_id) this.onBoot(nodeId, node.boot_id);
  }

  /** Publish the command once its state says `sent`; an NVMe reprovision sets its node `reprovisioning`. */
  #sendIfReady(id: string): void {
    const { store, states, phases, clock } = this.deps;
    const out = store.tx(() => {
      const cmd = store.commands.get(id);
      const node = cmd && store.nodes.get(cmd.node_id);
      if (!cmd || !node || !readyToSend(cmd, node)) return null;
      const resets = resetsThroughAgent(cmd, node);
      if (resets && !inPhaseGroup('reprovisionable', node.phase)) {
        // The node moved on while the command waited (e.g. `nodes retry --from-start`).
        const name = this.deps.nameOf(node.node_id);
        states.move(id, 'rejected', `${name} is ${node.phase} now; it can no longer be reprovisioned`);
        return null;
      }
      const now = clock.now();
      const deadline = new Date(now.getTime() + cmd.timeout_sec * 1000).toISOString();
      states.move(id, 'sent', 'sent; waiting for the agent to acknowledge', {
        sent_at: now.toISOString(),
        deadline,
        boot_id_before: node.boot_id,
      });
      store.commands.countDelivery(id);
      if (resets)
        phases.move(node.node_id, 'reprovisioning', `reprovision command ${id}: resetting the node`);
      store.events.append(node.node_id, 'command-sent', { cmdId: id, action: cmd.action }, now.toISOString());
      return { nodeId: node.node_id, message: commandMessage(store.commands.get(id) ?? cmd, now) };
    });
    if (out) this.deps.send(out.nodeId, out.message);
  }
}
