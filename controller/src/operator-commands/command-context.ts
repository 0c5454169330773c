import type { Command, CommandAction, CommandState, Inventory } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { CommandStates } from '../lifecycle/command-state.js';
import type { NodePhases } from '../lifecycle/node-phase.js';
import type { PlanPort } from '../provisioning/plan-port.js';
import type { BootstrapSource } from '../provisioning/planner.js';
import type { Store } from '../store/store.js';
import type { Disruption, NetbootReset, PowerHooks } from './ports.js';

/** An audit record written by the command code. */
export interface CommandAuditEntry {
  actor: string;
  action: string;
  target: string;
  result: 'ok' | 'refused';
  detail?: Record<string, unknown>;
}

/** What the command service needs from the rest of the controller. */
export interface CommandServiceDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** The node-phase owner: a reprovision sets the node `reprovisioning`, a failed reset `failed`. */
  phases: Pick<NodePhases, 'move'>;
  /** The provisioner: a reprovision restarts the node's plan through it. */
  /** A reprovision forgets the node's run and plans it afresh through this port. */
  provisioning: PlanPort;
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
  audit(entry: CommandAuditEntry): void;
  /** Told once per command that reaches a terminal state (metrics). */
  onOutcome?(action: CommandAction, state: CommandState): void;
  /** Default seconds a command for an offline node waits (3600). */
  defaultTtlSec?: number;
}

/** What the parts of the command service share: its dependencies, the state owner, node names. */
export interface CommandContext extends CommandServiceDeps {
  /** The one writer of `commands.state`. */
  states: CommandStates;
  /** The node's hostname, or its id before it has one. */
  nameOf(nodeId: string): string;
}
