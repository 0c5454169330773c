import type { CommandReport, CommandView, Hello, RpcParams } from '@osbuild/shared';
import { UserError } from '@osbuild/shared';
import { CommandStates } from '../lifecycle/command-state.js';
import type { PeriodicJob } from '../lifecycle/service.js';
import type { CommandRecord } from '../store/command-store.js';
import { AgentReports } from './agent-reports.js';
import { BootConfirmation } from './boot-confirmation.js';
import type { CommandContext, CommandServiceDeps } from './command-context.js';
import { CommandCreation } from './command-creation.js';
import { CommandDelivery } from './command-delivery.js';
import { CommandSweep } from './command-sweep.js';
import { toCommandView } from './command-views.js';

export type { CommandServiceDeps } from './command-context.js';

/** What the message router hands to the command service. */
export interface CommandHooks {
  /** After the provisioner recorded the hello: confirm reboots, deliver queued commands. */
  onHello(hello: Hello): void;
  /** An ack, progress report or result; false when the id is not an operator command. */
  onReport(nodeId: string, report: CommandReport): boolean;
}

type CreateParams = RpcParams<'commands.create'>;

/**
 * Operator commands with guarantees: one record per command and node in the store (the persistent
 * queue), idempotency keys, a TTL while queued, a deadline once sent, acks and results from the
 * agent, and reboots confirmed only by a hello with a new boot id. Every state change goes through
 * lifecycle/command-state.ts and is written before any message goes out, so a controller restart
 * resumes from the store. This class is the facade the rest of the controller calls; each idea
 * lives in its own file (creation, delivery, agent reports, boot confirmation, the sweep).
 */
export class CommandService implements CommandHooks {
  readonly #context: CommandContext;
  readonly #creation: CommandCreation;
  readonly #delivery: CommandDelivery;
  readonly #reports: AgentReports;
  readonly #boots: BootConfirmation;
  readonly #sweep: CommandSweep;

  constructor(deps: CommandServiceDeps) {
    const { store, clock, logger } = deps;
    this.#context = {
      ...deps,
      states: new CommandStates({
        records: store,
        clock,
        logger,
        onOutcome: (action, state) => deps.onOutcome?.(action, state),
      }),
      nameOf: (nodeId) => store.nodes.get(nodeId)?.hostname ?? nodeId,
    };
    this.#delivery = new CommandDelivery(this.#context, (nodeId, bootId) =>
      this.#boots.onBoot(nodeId, bootId),
    );
    this.#boots = new BootConfirmation(this.#context, this.#delivery);
    this.#creation = new CommandCreation(this.#context, (id) => this.#delivery.deliver(id));
    this.#reports = new AgentReports(this.#context);
    this.#sweep = new CommandSweep(this.#context, this.#delivery);
  }

  view(cmd: CommandRecord): CommandView {
    return toCommandView(cmd, this.#context.nameOf(cmd.node_id));
  }

  get(id: string): CommandView {
    const cmd = this.#context.store.commands.get(id);
    if (!cmd) throw new UserError('not-found', `no command ${id}`);
    return this.view(cmd);
  }

  list(name: string | undefined, limit: number): CommandView[] {
    const { store } = this.#context;
    let nodeId: string | undefined;
    if (name !== undefined) {
      const node = store.nodes.findByName(name);
      if (!node) throw new UserError('not-found', `no node named ${name}`);
      nodeId = node.node_id;
    }
    return store.commands.list({ ...(nodeId ? { nodeId } : {}), limit }).map((c) => this.view(c));
  }

  /** Create a command for one node, or return the one its idempotency key already names. */
  create(p: CreateParams, actor: string): { command: CommandView; created: boolean } {
    const { command, created } = this.#creation.create(p, actor);
    return { command: this.view(command), created };
  }

  onHello(hello: Hello): void {
    this.#boots.onHello(hello);
  }

  onReport(nodeId: string, report: CommandReport): boolean {
    return this.#reports.onReport(nodeId, report);
  }

  /** Expire queued commands past their TTL, time out those past their deadline, follow re-plans. */
  sweep(): void {
    this.#sweep.tick();
  }

  /** The command service's periodic work, for the scheduler. */
  jobs(everyMs: number): PeriodicJob[] {
    return [{ name: 'operator-commands', everyMs, run: () => this.sweep() }];
  }
}
