import {
  type Command,
  type CommandAction,
  type CommandBody,
  type CommandReport,
  type CommandState,
  type CommandView,
  type Hello,
  type Inventory,
  isCommandResult,
  type NodeEvent,
  PROTOCOL_VERSION,
  type RpcParams,
  UserError,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { NodePhases } from '../lifecycle/node-phase.js';
import type { PlanPort } from '../provisioning/plan-port.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import type { CommandRow, CommandUpdate } from '../store/command-store.js';
import type { Store } from '../store/store.js';
import { toCommandView } from './command-views.js';
import { commandTimeoutReason, newCommandRow } from './new-command.js';
import type { Disruption, NetbootReset, PowerHooks } from './ports.js';
import { powerCycle, powerCycleApplies } from './power-cycle.js';
import { needsPreparation, prepareDisruption } from './prepare-disruption.js';

/** What the message router hands to the command service. */
export interface CommandHooks {
  /** After the provisioner recorded the hello: confirm reboots, deliver queued commands. */
  onHello(hello: Hello): void;
  /** An ack, progress report or result; false when the id is not an operator command. */
  onReport(nodeId: string, report: CommandReport): boolean;
  /** Output and log lines, recorded for `osbuild logs`. */
  onNodeEvent(nodeId: string, event: NodeEvent): void;
}

/** What the command service needs from the rest of the controller. */
export interface CommandServiceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The node's plan: a reprovision starts it afresh through this port. */
  plan: PlanPort;
  /** The owner of node phases (reprovisioning, a failed reset). */
  phases: Pick<NodePhases, 'move'>;
  send(nodeId: string, cmd: Command): void;
  bootstrap(): BootstrapSource | null;
  inventory(): Inventory;
  newId(): string;
  /** Cordon and drain before a reboot or reprovision of a joined node; default: nothing to drain. */
  disruption?: Disruption;
  /** Reset a netboot node's root; absent by default (netboot reprovision is then refused). */
  netbootReset?: NetbootReset;
  /** Power-cycle an offline node (reboot, netboot reprovision); absent: such commands wait queued. */
  powerHooks?: PowerHooks;
  audit(entry: {
    actor: string;
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
  /** Told once per command that reaches a terminal state (metrics). */
  onOutcome?(action: CommandAction, state: CommandState): void;
  /** Default seconds a command for an offline node waits (3600). */
  defaultTtlSec?: number;
}

const IN_FLIGHT = new Set<CommandState>(['sent', 'accepted', 'running', 'rebooting']);

type CreateParams = RpcParams<'commands.create'>;

/**
 * Operator commands with guarantees: one row per command and node in the store (the persistent
 * queue), idempotency keys, a TTL while queued, a deadline once sent, acks and results from the
 * agent, and reboots confirmed only by a hello with a new boot id. Every state change is written
 * in a transaction before any message goes out, so a controller restart resumes from the store.
 */
export class CommandService implements CommandHooks {
  /** Commands whose drain or netboot reset is under way, so a second hello does not start another. */
  readonly #preparing = new Set<string>();

  constructor(private readonly d: CommandServiceDeps) {}

  #now(): Date {
    return this.d.clock.now();
  }

  #nameOf(nodeId: string): string {
    return this.d.store.nodes.get(nodeId)?.hostname ?? nodeId;
  }

  view(row: CommandRow): CommandView {
    return toCommandView(row, this.#nameOf(row.node_id));
  }

  get(id: string): CommandView {
    const row = this.d.store.commands.get(id);
    if (!row) throw new UserError('not-found', `no command ${id}`);
    return this.view(row);
  }

  list(name: string | undefined, limit: number): CommandView[] {
    let nodeId: string | undefined;
    if (name !== undefined) {
      const node = this.d.store.nodes.findByName(name);
      if (!node) throw new UserError('not-found', `no node named ${name}`);
      nodeId = node.node_id;
    }
    return this.d.store.commands.list({ ...(nodeId ? { nodeId } : {}), limit }).map((r) => this.view(r));
  }

  /** Create a command for one node, or return the one its idempotency key already names. */
  create(p: CreateParams, actor: string): { command: CommandView; created: boolean } {
    const result = this.d.store.tx(() => {
      const node = this.d.store.nodes.findByName(p.name);
      if (!node || node.conflict_of !== null) throw new UserError('not-found', `no node named ${p.name}`);
      if (p.idempotencyKey !== undefined) {
        const existing = this.d.store.commands.byIdempotencyKey(node.node_id, p.idempotencyKey);
        if (existing) {
          const same = existing.action === p.action && (existing.script ?? undefined) === p.script;
          if (!same) {
            throw new UserError(
              'conflict',
              `idempotency key ${p.idempotencyKey} already names command ${existing.id} (${existing.action}) on ${p.name}`,
            );
          }
          return { row: existing, created: false };
        }
      }
      const row = newCommandRow(node, p, actor, this.d);
      this.d.store.commands.insert(row);
      const now = row.created_at;
      this.d.store.events.append(
        node.node_id,
        'command-created',
        { cmdId: row.id, action: p.action, by: actor, force: p.force === true },
        now,
      );
      return { row, created: true };
    });
    const name = this.#nameOf(result.row.node_id);
    if (result.created) {
      this.d.audit({
        actor,
        action: `command.${p.action}`,
        target: name,
        result: 'ok',
        detail: {
          cmdId: result.row.id,
          ...(p.script ? { script: p.script } : {}),
          ...(p.idempotencyKey ? { idempotencyKey: p.idempotencyKey } : {}),
        },
      });
      if (p.force) {
        this.d.audit({
          actor,
          action: 'command.force',
          target: name,
          result: 'ok',
          detail: { cmdId: result.row.id, skipped: 'drain' },
        });
      }
      void this.#deliver(result.row.id);
    }
    const row = this.d.store.commands.get(result.row.id) ?? result.row;
    return { command: this.view(row as CommandRow), created: result.created };
  }

  /**
   * Send a queued command if its node is online: drain first (joined nodes, unless forced), reset
   * a netboot root first (netboot reprovision), then publish. An offline node with a power hook
   * gets the same preparation, then its hook instead of the message. Never throws.
   */
  async #deliver(id: string): Promise<void> {
    if (this.#preparing.has(id)) return;
    const row = this.d.store.commands.get(id);
    const node = row && this.d.store.nodes.get(row.node_id);
    if (!row || !node || row.state !== 'queued') return;
    const online = node.online;
    const hooks = this.d.powerHooks;
    const viaHook =
      !online &&
      hooks !== undefined &&
      powerCycleApplies(row, node) &&
      hooks.hookFor(this.#nameOf(node.node_id)) !== undefined;
    if (!online && !viaHook) return;
    this.#preparing.add(id);
    try {
      const ready =
        !needsPreparation(row, node) ||
        (await prepareDisruption(
          {
            ...this.d,
            nameOf: (nodeId) => this.#nameOf(nodeId),
            finish: (cmdId, state, reason) => this.#finish(cmdId, state, reason),
          },
          row,
          node,
        ));
      if (!ready) return;
      if (online || !hooks) {
        this.#sendIfQueued(id);
        return;
      }
      await powerCycle(
        {
          store: this.d.store,
          clock: this.d.clock,
          logger: this.d.logger,
          hooks,
          audit: (e) => this.d.audit(e),
          finish: (cmdId, state, reason, extra) => this.#finish(cmdId, state, reason, extra),
          recheck: (nodeId) => {
            const n = this.d.store.nodes.get(nodeId);
            if (n?.online && n.boot_id) this.#onBoot(nodeId, n.boot_id);
          },
        },
        row,
        node,
      );
    } catch (err) {
      this.d.logger.error({ err, cmdId: id }, 'delivering a command failed');
    } finally {
      this.#preparing.delete(id);
    }
  }

  #sendIfQueued(id: string): void {
    const cmd = this.d.store.tx(() => {
      const row = this.d.store.commands.get(id);
      const node = row && this.d.store.nodes.get(row.node_id);
      if (!row || !node || row.state !== 'queued' || !node.online) return null;
      const now = this.#now();
      const deadline = new Date(now.getTime() + row.timeout_sec * 1000).toISOString();
      this.d.store.commands.setState(id, 'sent', 'sent; waiting for the agent to acknowledge', {
        sent_at: now.toISOString(),
        deadline,
        boot_id_before: node.boot_id,
      });
      this.d.store.commands.countDelivery(id);
      if (row.action === 'reprovision' && node.boot_source !== 'netboot') {
        this.d.phases.move(node.node_id, 'reprovisioning', `reprovision command ${id}: resetting the node`);
      }
      this.d.store.events.append(
        node.node_id,
        'command-sent',
        { cmdId: id, action: row.action },
        now.toISOString(),
      );
      return { nodeId: node.node_id, cmd: this.#message(this.d.store.commands.get(id) ?? row) };
    });
    if (cmd) this.d.send(cmd.nodeId, cmd.cmd);
  }

  #message(row: CommandRow): Command {
    return {
      v: PROTOCOL_VERSION,
      id: row.id,
      deadline: row.deadline ?? this.#now().toISOString(),
      ...(row.idempotency_key ? { idempotencyKey: row.idempotency_key } : {}),
      body: JSON.parse(row.body) as CommandBody,
    };
  }

  #finish(id: string, state: CommandState, reason: string, extra: CommandUpdate = {}): void {
    const row = this.d.store.commands.get(id);
    if (!row) return;
    const now = this.#now().toISOString();
    this.d.store.tx(() => {
      this.d.store.commands.setState(id, state, reason, { finished_at: now, ...extra });
      this.d.store.events.append(
        row.node_id,
        'command-finished',
        { cmdId: id, action: row.action, state, reason },
        now,
      );
    });
    this.d.logger.info(
      { cmdId: id, nodeId: row.node_id, action: row.action, state, reason },
      'command finished',
    );
    this.d.onOutcome?.(row.action, state);
  }

  onHello(hello: Hello): void {
    this.#onBoot(hello.identity.nodeId, hello.identity.bootId);
  }

  /** Confirm reboots by a new boot id, resend unacknowledged commands, deliver queued ones. */
  #onBoot(nodeId: string, bootId: string): void {
    for (const row of this.d.store.commands.live(nodeId)) {
      const rebootLike = (JSON.parse(row.body) as CommandBody).type === 'reboot';
      const rebooted = row.boot_id_before !== null && row.boot_id_before !== bootId;
      if (rebootLike && IN_FLIGHT.has(row.state) && rebooted) {
        if (row.action === 'reboot') {
          this.#finish(row.id, 'succeeded', `${this.#nameOf(nodeId)} came back with a new boot id`, {
            boot_id_after: bootId,
          });
        } else {
          this.d.store.commands.setState(
            row.id,
            'provisioning',
            'the node rebooted into its fresh root; the plan runs again',
            {
              boot_id_after: bootId,
            },
          );
        }
        continue;
      }
      if (row.state === 'sent') {
        // Unacknowledged: send it again with the same id; the agent recognises a duplicate.
        this.d.store.commands.countDelivery(row.id);
        this.d.send(nodeId, this.#message(row));
      } else if (row.state === 'queued') {
        void this.#deliver(row.id);
      }
    }
  }

  onReport(nodeId: string, report: CommandReport): boolean {
    const row = this.d.store.commands.get(report.id);
    if (!row) return false;
    if (row.node_id !== nodeId) {
      this.d.logger.warn({ cmdId: report.id, nodeId }, "a node reported on another node's command; ignored");
      return true;
    }
    const now = this.#now().toISOString();
    if (!isCommandResult(report)) {
      if (report.type === 'ack' && report.duplicate) {
        this.d.store.events.append(nodeId, 'command-duplicate', { cmdId: row.id, state: row.state }, now);
      }
      if (['succeeded', 'failed', 'timed-out', 'expired', 'rejected'].includes(row.state)) return true;
      if (report.type === 'ack') {
        if (row.state === 'sent') {
          this.d.store.commands.setState(row.id, 'accepted', 'the agent accepted it', {
            acked_at: now,
            boot_id_before: report.bootId,
          });
        }
      } else if (report.state === 'running' && (row.state === 'sent' || row.state === 'accepted')) {
        this.d.store.commands.setState(row.id, 'running', 'running on the node', {
          acked_at: row.acked_at ?? now,
        });
      } else if (report.state === 'rebooting' && row.state !== 'provisioning') {
        this.d.store.commands.setState(
          row.id,
          'rebooting',
          'rebooting; waiting for a hello with a new boot id',
        );
      }
      return true;
    }
    if (['succeeded', 'failed', 'timed-out', 'expired', 'rejected'].includes(row.state)) return true;
    const extra = { exit_code: report.exitCode, output_tail: report.outputTail };
    const err = report.error ?? (report.exitCode !== null ? `exit code ${report.exitCode}` : report.outcome);
    const body = JSON.parse(row.body) as CommandBody;
    if (report.outcome === 'succeeded') {
      if (body.type === 'reboot') {
        // The agent's word is not enough: only a hello with a new boot id confirms a reboot.
        if (row.state !== 'provisioning')
          this.d.store.commands.setState(
            row.id,
            'rebooting',
            'the agent reports a restart; waiting for a hello with a new boot id',
            extra,
          );
        return true;
      }
      if (body.type === 'reset-node') {
        this.#replan(row, extra);
        return true;
      }
      this.#finish(row.id, 'succeeded', 'the agent reports success', extra);
      return true;
    }
    const state: CommandState =
      report.outcome === 'timed-out' ? 'timed-out' : report.outcome === 'rejected' ? 'rejected' : 'failed';
    const why = report.outcome === 'interrupted' ? `interrupted: ${err}` : err;
    this.#finish(row.id, state, why, extra);
    if (body.type === 'reset-node') {
      this.d.store.tx(() =>
        this.d.phases.move(nodeId, 'failed', `reprovision ${row.id}: reset failed: ${why}`),
      );
    }
    return true;
  }

  /** The node reset itself: forget its run and plan it again from the current inventory. */
  #replan(row: CommandRow, extra: CommandUpdate): void {
    const outbox = this.d.store.tx(() => {
      const node = this.d.store.nodes.get(row.node_id);
      if (!node) return [];
      this.d.plan.forget(node, `reprovision command ${row.id}: the node was reset`);
      const out = this.d.plan.advance(row.node_id);
      const runId = this.d.store.nodes.get(row.node_id)?.current_run_id ?? null;
      this.d.store.commands.setState(row.id, 'provisioning', 'the node was reset; its plan runs again', {
        ...extra,
        run_id: runId,
      });
      return out;
    });
    this.d.plan.send(outbox);
  }

  onNodeEvent(nodeId: string, event: NodeEvent): void {
    if (event.type === 'command-started') return;
    if (!this.d.store.nodes.get(nodeId)) return;
    const at = this.#now().toISOString();
    if (event.type === 'command-output') {
      this.d.store.logs.append({
        node_id: nodeId,
        at,
        source: 'command',
        cmd_id: event.cmdId,
        stream: event.stream,
        text: event.text,
      });
    } else {
      this.d.store.logs.append({
        node_id: nodeId,
        at,
        source: 'agent',
        cmd_id: null,
        stream: event.level,
        text: event.msg,
      });
    }
  }

  /** Expire queued commands past their TTL, time out those past their deadline, follow re-plans. */
  tick(): void {
    const now = this.#now();
    const iso = now.toISOString();
    for (const row of this.d.store.commands.live()) {
      const name = this.#nameOf(row.node_id);
      if (row.state === 'queued') {
        if (row.expires_at <= iso && !this.#preparing.has(row.id)) {
          const ttl = Math.round((Date.parse(row.expires_at) - Date.parse(row.created_at)) / 1000);
          this.#finish(
            row.id,
            'expired',
            `${name} stayed offline for the command's whole TTL (${ttl} s); it was never delivered`,
          );
        } else if (this.d.store.nodes.get(row.node_id)?.online) {
          void this.#deliver(row.id);
        }
        continue;
      }
      if (row.state === 'provisioning') {
        const node = this.d.store.nodes.get(row.node_id);
        const runId = row.run_id ?? node?.current_run_id ?? null;
        if (runId && runId !== row.run_id)
          this.d.store.commands.setState(row.id, 'provisioning', row.reason, { run_id: runId });
        const run = runId ? this.d.store.runs.get(runId) : undefined;
        if (run?.state === 'succeeded') {
          this.#finish(row.id, 'succeeded', `${name} was reset and provisioned again (run ${run.id})`);
          continue;
        }
        if (run?.state === 'failed' || run?.state === 'cancelled') {
          this.#finish(
            row.id,
            'failed',
            `the new plan ${run.state === 'failed' ? 'failed' : 'was cancelled'}: ${node?.reason ?? ''}`,
          );
          continue;
        }
      }
      if (row.deadline !== null && row.deadline <= iso) {
        this.#finish(row.id, 'timed-out', commandTimeoutReason(row.state, name, row.timeout_sec));
      }
    }
  }
}
