// A hello is how a node says it booted: it confirms reboots (a new boot id, never the agent's word
// alone), and it is the moment to resend unacknowledged commands and deliver queued ones.
import type { Hello } from '@osbuild/shared';
import { inCommandStateGroup } from '../lifecycle/command-state.js';
import type { CommandRecord } from '../store/command-store.js';
import type { CommandContext } from './command-context.js';
import type { CommandDelivery } from './command-delivery.js';
import { bootConfirmation } from './report-decisions.js';

/** Confirms reboots by boot id and hands the node's other live commands to delivery. */
export class BootConfirmation {
  constructor(
    private readonly deps: CommandContext,
    private readonly delivery: Pick<CommandDelivery, 'deliver' | 'resend'>,
  ) {}

  onHello(hello: Hello): void {
    this.onBoot(hello.identity.nodeId, hello.identity.bootId);
  }

  /** Confirm reboots by a new boot id, resend unacknowledged commands, deliver queued ones. */
  onBoot(nodeId: string, bootId: string): void {
    for (const cmd of this.deps.store.commands.live(nodeId)) {
      const confirmed = bootConfirmation(cmd, bootId);
      if (confirmed !== null) {
        this.#confirm(cmd, confirmed, bootId);
      } else if (cmd.state === 'sent') {
        this.delivery.resend(cmd);
      } else if (inCommandStateGroup('undelivered', cmd.state)) {
        // Queued, or a preparation an earlier controller process left unfinished.
        this.delivery.deliver(cmd.id);
      }
    }
  }

  #confirm(cmd: CommandRecord, to: 'succeeded' | 'provisioning', bootId: string): void {
    if (to === 'succeeded') {
      const reason = `${this.deps.nameOf(cmd.node_id)} came back with a new boot id`;
      this.deps.states.move(cmd.id, 'succeeded', reason, { boot_id_after: bootId });
      return;
    }
    this.deps.states.move(
      cmd.id,
      'provisioning',
      'the node rebooted into its fresh root; the plan runs again',
      {
        boot_id_after: bootId,
      },
    );
  }
}
