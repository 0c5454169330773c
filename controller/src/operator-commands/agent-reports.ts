// What the agent says about an operator command (ack, progress, result on `cmd-result`), applied
// to the command. The decision is pure (report-decisions.ts); this file carries it out.
import { type CommandReport, type CommandState, isCommandResult } from '@osbuild/shared';
import { commandTransitionAllowed } from '../lifecycle/command-state.js';
import { phaseTransitionAllowed } from '../lifecycle/node-phase.js';
import type { CommandRecord, CommandUpdate } from '../store/command-store.js';
import type { CommandContext } from './command-context.js';
import { decideReport, type ReportDecision } from './report-decisions.js';

/** Applies agent reports to operator commands. */
export class AgentReports {
  constructor(private readonly deps: CommandContext) {}

  /** An ack, progress report or result; false when the id is not an operator command. */
  onReport(nodeId: string, report: CommandReport): boolean {
    const cmd = this.deps.store.commands.get(report.id);
    if (!cmd) return false;
    if (cmd.node_id !== nodeId) {
      this.deps.logger.warn(
        { cmdId: report.id, nodeId },
        "a node reported on another node's command; ignored",
      );
      return true;
    }
    const now = this.deps.clock.now().toISOString();
    this.#recordDuplicate(cmd, report, now);
    this.#apply(cmd, decideReport(cmd, report, now));
    return true;
  }

  /** The agent already knew this id: worth an event, whatever state the command is in. */
  #recordDuplicate(cmd: CommandRecord, report: CommandReport, now: string): void {
    if (isCommandResult(report) || report.type !== 'ack' || !report.duplicate) return;
    this.deps.store.events.append(cmd.node_id, 'command-duplicate', { cmdId: cmd.id, state: cmd.state }, now);
  }

  #apply(cmd: CommandRecord, decision: ReportDecision): void {
    switch (decision.kind) {
      case 'ignore':
        return;
      case 'move':
        if (this.#allowed(cmd, decision.to)) {
          this.deps.states.move(cmd.id, decision.to, decision.reason, decision.extra);
        }
        return;
      case 'replan':
        if (this.#allowed(cmd, 'provisioning')) this.#replan(cmd, decision.extra);
        return;
      case 'finish':
        if (!this.#allowed(cmd, decision.state)) return;
        this.deps.states.move(cmd.id, decision.state, decision.reason, decision.extra);
        if (decision.resetFailed) this.#markResetFailed(cmd, decision.reason);
        return;
    }
  }

  /** A report is the agent's word, not our bug: one the table does not allow is logged and dropped. */
  #allowed(cmd: CommandRecord, to: CommandState): boolean {
    if (commandTransitionAllowed(cmd.state, to)) return true;
    this.deps.logger.warn(
      { cmdId: cmd.id, nodeId: cmd.node_id, from: cmd.state, to },
      'a report would move a command where its state cannot go; ignored',
    );
    return false;
  }

  /** The node reset itself: forget its run and plan it again from the current inventory. */
  #replan(cmd: CommandRecord, extra: CommandUpdate): void {
    const { store, provisioning, states } = this.deps;
    const outbox = store.tx(() => {
      const node = store.nodes.get(cmd.node_id);
      if (!node) return [];
      provisioning.forget(node, `reprovision command ${cmd.id}: the node was reset`);
      const out = provisioning.advance(cmd.node_id);
      const runId = store.nodes.get(cmd.node_id)?.current_run_id ?? null;
      states.move(cmd.id, 'provisioning', 'the node was reset; its plan runs again', {
        ...extra,
        run_id: runId,
      });
      return out;
    });
    provisioning.send(outbox);
  }

  /** The reset did not finish: the node is failed (with why) until an operator acts. */
  #markResetFailed(cmd: CommandRecord, why: string): void {
    const node = this.deps.store.nodes.get(cmd.node_id);
    if (!node) return;
    if (!phaseTransitionAllowed(node.phase, 'failed')) {
      this.deps.logger.warn(
        { cmdId: cmd.id, nodeId: cmd.node_id, phase: node.phase },
        'a reset failed but the node has moved on; its phase is left as it is',
      );
      return;
    }
    this.deps.phases.move(cmd.node_id, 'failed', `reprovision ${cmd.id}: reset failed: ${why}`);
  }
}
