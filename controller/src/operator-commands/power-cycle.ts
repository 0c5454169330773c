// Reboot or reprovision of a node whose agent is unreachable: the controller cannot ask the agent
// to restart, so it runs the node's power hook (netboot.yaml powerHooks) and then waits, as for
// any reboot, for a hello with a new boot id. Without a hook the command waits in the queue and
// says why, so the operator knows to configure one or to power the board on by hand.
import type { CommandState } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import type { CommandRow, CommandUpdate } from '../store/command-store.js';
import type { NodeRecord } from '../store/node-store.js';
import type { Store } from '../store/store.js';
import type { PowerHookOutput, PowerHooks } from './ports.js';

/** Lines of hook output kept in the command's output tail. */
const TAIL_LINES = 20;

/**
 * True when a power hook can stand in for the agent: a reboot, or the reprovision of a netboot
 * node (its reset happens on the server; an NVMe node needs its agent to reset itself).
 */
export function powerCycleApplies(row: Pick<CommandRow, 'action'>, node: Pick<NodeRecord, 'boot_source'>) {
  return row.action === 'reboot' || (row.action === 'reprovision' && node.boot_source === 'netboot');
}

/** The reason of a command queued for an offline node. */
export function offlineQueueReason(
  name: string,
  action: CommandRow['action'],
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
  store: Store;
  clock: Clock;
  logger: Logger;
  hooks: PowerHooks;
  audit(entry: {
    actor: string;
    action: string;
    target: string;
    result: 'ok' | 'refused';
    detail?: Record<string, unknown>;
  }): void;
  finish(id: string, state: CommandState, reason: string, extra?: CommandUpdate): void;
  /** Re-run the hello check: the node may have come back while the hook was running. */
  recheck(nodeId: string): void;
}

function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.trim() !== '');
}

/** Keep the hook's output with the command (`osbuild logs`, `commands show`). */
function recordOutput(d: PowerCycleDeps, row: CommandRow, out: PowerHookOutput): string {
  const at = d.clock.now().toISOString();
  const all: string[] = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    for (const text of lines(out[stream])) {
      // The controller ran it, not the node: the prefix tells them apart in `osbuild logs`.
      const line = `[power hook] ${text}`;
      d.store.logs.append({
        node_id: row.node_id,
        at,
        source: 'command',
        cmd_id: row.id,
        stream,
        text: line,
      });
      all.push(text);
    }
  }
  return all.slice(-TAIL_LINES).join('\n');
}

/**
 * Run the hook for an offline node whose drain and root reset (if any) are done, then leave the
 * command `rebooting` with a deadline: the hello with a new boot id finishes it (reboot) or starts
 * the plan again (reprovision). A failing hook fails the command with its exit code and stderr.
 */
export async function powerCycle(d: PowerCycleDeps, row: CommandRow, node: NodeRecord): Promise<void> {
  const name = node.hostname ?? node.node_id;
  const command = d.hooks.hookFor(name);
  if (command === undefined) return;
  const bootIdBefore = node.boot_id;
  const started = d.clock.now().toISOString();
  d.store.tx(() => {
    d.store.commands.setState(
      row.id,
      'queued',
      `${name} is offline: running its power hook ${command.join(' ')}`,
    );
    d.store.events.append(row.node_id, 'power-hook-started', { cmdId: row.id, command }, started);
  });
  d.logger.info({ cmdId: row.id, nodeId: row.node_id, command }, 'running the power hook of an offline node');
  const out = await d.hooks.run({ name, nodeId: node.node_id, serial: node.serial, mac: node.mac });
  const tail = recordOutput(d, row, out);
  d.audit({
    actor: 'controller',
    action: 'node.power-hook',
    target: name,
    result: out.ok ? 'ok' : 'refused',
    detail: {
      cmdId: row.id,
      command: out.command,
      exitCode: out.exitCode,
      ...(out.ok ? {} : { why: out.why }),
    },
  });
  if (!out.ok) {
    const stderr = lines(out.stderr).slice(-3).join(' | ');
    d.finish(row.id, 'failed', `power hook for ${name} failed (${out.why})${stderr ? `: ${stderr}` : ''}`, {
      exit_code: out.exitCode,
      output_tail: tail,
    });
    return;
  }
  const now = d.clock.now();
  d.store.tx(() => {
    d.store.commands.setState(
      row.id,
      'rebooting',
      `power hook ran; waiting for ${name} to come back with a new boot id`,
      {
        sent_at: now.toISOString(),
        deadline: new Date(now.getTime() + row.timeout_sec * 1000).toISOString(),
        boot_id_before: bootIdBefore,
        exit_code: 0,
        output_tail: tail,
      },
    );
    d.store.events.append(row.node_id, 'power-cycled', { cmdId: row.id, command }, now.toISOString());
  });
  d.recheck(row.node_id);
}
