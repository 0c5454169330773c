// The periodic sweep over live commands: queue again what an earlier process left half-prepared,
// expire what waited past its TTL, deliver to nodes that are online, follow a reprovision's new
// run, and time out whatever passed its deadline.
import { inCommandStateGroup } from '../lifecycle/command-state.js';
import type { CommandRecord } from '../store/command-store.js';
import type { CommandContext } from './command-context.js';
import type { CommandDelivery } from './command-delivery.js';
import {
  commandTimeoutReason,
  expiryReason,
  hasExpired,
  pastDeadline,
  replanOutcome,
} from './sweep-decisions.js';

/** One pass over every live command, run by the controller's scheduler. */
export class CommandSweep {
  constructor(
    private readonly deps: CommandContext,
    private readonly delivery: Pick<CommandDelivery, 'deliver' | 'isPreparing' | 'requeueIfStranded'>,
  ) {}

  tick(): void {
    const now = this.deps.clock.now().toISOString();
    for (const live of this.deps.store.commands.live()) {
      const cmd = this.delivery.requeueIfStranded(live);
      if (inCommandStateGroup('undelivered', cmd.state)) {
        this.#expireOrDeliver(cmd, now);
        continue;
      }
      if (cmd.state === 'provisioning' && this.#followReplan(cmd)) continue;
      if (pastDeadline(cmd, now)) {
        const name = this.deps.nameOf(cmd.node_id);
        this.deps.states.move(cmd.id, 'timed-out', commandTimeoutReason(cmd.state, name, cmd.timeout_sec));
      }
    }
  }

  /** A queued command past its TTL expires; otherwise it is delivered if its node is online. */
  #expireOrDeliver(cmd: CommandRecord, now: string): void {
    if (hasExpired(cmd, now, this.delivery.isPreparing(cmd.id))) {
      this.deps.states.move(cmd.id, 'expired', expiryReason(cmd, this.deps.nameOf(cmd.node_id)));
    } else if (this.deps.store.nodes.get(cmd.node_id)?.online) {
      this.delivery.deliver(cmd.id);
    }
  }

  /** Record the node's current run and finish the command with it; true when it finished. */
  #followReplan(cmd: CommandRecord): boolean {
    const { store, states } = this.deps;
    const node = store.nodes.get(cmd.node_id);
    const runId = cmd.run_id ?? node?.current_run_id ?? null;
    if (runId && runId !== cmd.run_id) states.move(cmd.id, 'provisioning', cmd.reason, { run_id: runId });
    const run = runId ? store.runs.get(runId) : undefined;
    const outcome = replanOutcome(run, this.deps.nameOf(cmd.node_id), node?.reason ?? '');
    if (!outcome) return false;
    states.move(cmd.id, outcome.state, outcome.reason);
    return true;
  }
}
