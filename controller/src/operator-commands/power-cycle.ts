// Reboot or reprovision of a node whose agent is unreachable: the controller cannot ask the agent
// to restart, so it runs the node's power hook (netboot.yaml powerHooks) and then waits, as for
// any reboot, for a hello with a new boot id. Without a hook the command waits in the queue and
// says why, so the operator knows to configure one or to power the board on by hand.
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { CommandStates } from '../lifecycle/command-state.js';
import type { CommandRecord } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import type { CommandAuditEntry } from './command-context.js';
import { powerCycleApplies } from './delivery-decisions.js';
import type { PowerHookOutput, PowerHooks } from './ports.js';

/** Lines of hook output kept in the command's output tail. */
const TAIL_LINES = 20;

/** The reason of a command queued for an offline node. */
export function offlineQueueReason(
  name: string,
  action: CommandRecord['action'],
  node: Pick<NodeRecord, 'boot_source'>,
  hooks: PowerHooks | undefined,
  expires: string,
): string {
  const netbootReprovision = action === 'reprovision' && node.boot_source === 'netboot';
  // Mention hooks where one could help: a netboot reprovision, or a reboot once hooks are set up.
  if (!powerCycleApplies({ action }, node) || (hooks === undefined && !netbootReprovision)) {
    return `${name} is offline; the command waits until it comes online (expires ${expires})`;
  }
  if (hooks?.hookFor(name) !== undefined)
    return `${name} is offline; power-cycling it through its power hook`;
  const then =
    action === 'reprovision' ? 'its root is reset and it reboots' : 'the command is sent to its agent';
  return `${name} is offline and no power hook is configured (netboot.yaml powerHooks.${name}); the command waits until it comes back, then ${then} (expires ${expires})`;
}

/** What {@link powerCycle} needs from the command service. */
export interface PowerCycleDeps {
  store: Pick<Store, 'tx' | 'events' | 'logs'>;
  clock: Clock;
  logger: Logger;
  states: Pick<CommandStates, 'move'>;
  hooks: PowerHooks;
  audit(entry: CommandAuditEntry): void;
  /** Re-run the hello check: the node may have come back while the hook was running. */
  recheck(nodeId: string): void;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Keep the hook's output with the command (`osbuild logs`, `commands show`). */
function recordOutput(deps: PowerCycleDeps, cmd: CommandRecord, out: PowerHookOutput): string {
  const at = deps.clock.now().toISOString();
  const all: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    for (const text of lines(out[stream])) {
      // The controller ran it, not the node: the prefix tells them apart in `osbuild logs`.
      const line = `[power hook] ${text}`;
      deps.store.logs.append({
        node_id: cmd.node_id,
        at,
        source: 'command',
        cmd_id: cmd.id,
        stream,
        text: line,
      });
      all.push(text);
    }
  }
  return all.slice(-TAIL_LINES).join('\n');
}

/**
 * Run the hook for an offline node whose drain and root reset (if any) are done: the command is
 * `power-cycling` meanwhile, then `rebooting` with a deadline: the hello with a new boot id
 * finishes it (reboot) or starts the plan again (reprovision). A failing hook fails the command
 * with its exit code and stderr.
 */
export async function powerCycle(deps: PowerCycleDeps, cmd: CommandRecord, node: NodeRecord): Promise<void> {
  const name = node.hostname ?? node.node_id;
  const command = deps.hooks.hookFor(name);
  if (command === undefined) return;
  const bootIdBefore = node.boot_id;
  const started = deps.clock.now().toISOString();
  deps.store.tx(() => {
    deps.states.move(
      cmd.id,
      'power-cycling',
      `${name} is offline: running its power hook ${command.join(' ')}`,
    );
    deps.store.events.append(cmd.node_id, 'power-hook-started', { cmdId: cmd.id, command }, started);
  });
  deps.logger.info(
    { cmdId: cmd.id, nodeId: cmd.node_id, command },
    'running the power hook of an offline node',
  );
  const out = await deps.hooks.run({ name, nodeId: node.node_id, serial: node.serial, mac: node.mac });
  const tail = recordOutput(deps, cmd, out);
  deps.audit({
    actor: 'controller',
    action: 'node.power-hook',
    target: name,
    result: out.ok ? 'ok' : 'refused',
    detail: {
      cmdId: cmd.id,
      command: out.command,
      exitCode: out.exitCode,
      ...(out.ok ? {} : { why: out.why }),
    },
  });
  if (!out.ok) {
    const stderr = lines(out.stderr).slice(-3).join(' | ');
    deps.states.move(
      cmd.id,
      'failed',
      `power hook for ${name} failed (${out.why})${stderr ? `: ${stderr}` : ''}`,
      { exit_code: out.exitCode, output_tail: tail },
    );
    return;
  }
  const now = deps.clock.now();
  deps.store.tx(() => {
    deps.states.move(
      cmd.id,
      'rebooting',
      `power hook ran; waiting for ${name} to come back with a new boot id`,
      {
        sent_at: now.toISOString(),
        deadline: new Date(now.getTime() + cmd.timeout_sec * 1000).toISOString(),
        boot_id_before: bootIdBefore,
        exit_code: 0,
        output_tail: tail,
      },
    );
    deps.store.events.append(cmd.node_id, 'power-cycled', { cmdId: cmd.id, command }, now.toISOString());
  });
  deps.recheck(cmd.node_id);
}
