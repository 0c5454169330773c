// The per-node power hook: an operator's command (PoE switch, smart plug) that power-cycles a
// board whose agent cannot reboot it. None by default; the caller says so when a node has none.
import type { Exec } from '../host/exec.js';
import type { NetbootConfig, PowerHook } from './config.js';

/** Outcome of {@link runPowerHook}. */
export type PowerHookResult =
  | { ran: true; command: string[]; stdout: string }
  | { ran: false; reason: string };

/** The node's hook, if configured. */
export function powerHookFor(config: NetbootConfig, node: string): PowerHook | undefined {
  return Object.hasOwn(config.powerHooks, node) ? config.powerHooks[node] : undefined;
}

/**
 * Run the node's hook through the exec seam: argv as configured (no shell, so a node name can
 * never become a command), the node name in OSBUILD_NODE. A failing hook rejects with its stderr.
 */
export async function runPowerHook(
  config: NetbootConfig,
  node: string,
  exec: Exec,
): Promise<PowerHookResult> {
  const hook = powerHookFor(config, node);
  if (hook === undefined)
    return { ran: false, reason: `no power hook configured for ${node} (netboot.yaml powerHooks.${node})` };
  const [file, ...args] = hook.command as [string, ...string[]];
  const result = await exec(file, args, {
    env: { OSBUILD_NODE: node, PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' },
    timeoutMs: hook.timeoutSec * 1000,
  });
  return { ran: true, command: hook.command, stdout: result.stdout };
}
