// The per-node power hook: an operator's command (PoE switch, smart plug) that power-cycles a
// board whose agent cannot reboot it. None by default; the caller says so when a node has none.

import { type Exec, ExecError } from '../host/exec.js';
import type { PowerHookOutput, PowerHooks, PowerTarget } from '../operator-commands/ports.js';
import type { NetbootConfig, PowerHook } from './config.js';

/** Outcome of {@link runPowerHook}. */
export type PowerHookResult =
  | { ran: true; command: string[]; stdout: string }
  | { ran: false; reason: string };

/** The node's hook, if configured. */
export function powerHookFor(config: NetbootConfig, node: string): PowerHook | undefined {
  return Object.hasOwn(config.powerHooks, node) ? config.powerHooks[node] : undefined;
}

/** Why a node has no hook, naming the key to add. */
export function noPowerHookReason(node: string): string {
  return `no power hook configured for ${node} (netboot.yaml powerHooks.${node})`;
}

/** The hook's environment: who to power-cycle (never a secret), and a PATH to find the program. */
function hookEnv(target: PowerTarget): Record<string, string> {
  return {
    OSBUILD_NODE: target.name,
    ...(target.nodeId ? { OSBUILD_NODE_ID: target.nodeId } : {}),
    ...(target.serial ? { OSBUILD_NODE_SERIAL: target.serial } : {}),
    ...(target.mac ? { OSBUILD_NODE_MAC: target.mac } : {}),
    PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
  };
}

/**
 * Run the node's hook through the exec adapter: argv as configured (no shell, so a node name can
 * never become a command), who to power-cycle in OSBUILD_NODE, OSBUILD_NODE_ID,
 * OSBUILD_NODE_SERIAL and OSBUILD_NODE_MAC. A failing hook rejects with an ExecError (exit code,
 * stderr tail).
 */
export async function runPowerHook(
  config: NetbootConfig,
  target: PowerTarget | string,
  exec: Exec,
): Promise<PowerHookResult> {
  const t = typeof target === 'string' ? { name: target } : target;
  const hook = powerHookFor(config, t.name);
  if (hook === undefined) return { ran: false, reason: noPowerHookReason(t.name) };
  const [file, ...args] = hook.command as [string, ...string[]];
  const result = await exec(file, args, {
    env: hookEnv(t),
    timeoutMs: hook.timeoutSec * 1000,
    isolated: true,
  });
  return { ran: true, command: hook.command, stdout: result.stdout };
}

/** The commands' {@link PowerHooks} seam backed by netboot.yaml's `powerHooks`. */
export function netbootPowerHooks(config: NetbootConfig, exec: Exec): PowerHooks {
  return {
    hookFor: (name) => powerHookFor(config, name)?.command,
    async run(target): Promise<PowerHookOutput> {
      const hook = powerHookFor(config, target.name);
      if (hook === undefined) throw new Error(noPowerHookReason(target.name));
      const [file, ...args] = hook.command as [string, ...string[]];
      try {
        const r = await exec(file, args, {
          env: hookEnv(target),
          timeoutMs: hook.timeoutSec * 1000,
          isolated: true,
        });
        return { command: hook.command, ok: true, exitCode: 0, stdout: r.stdout, stderr: r.stderr, why: '' };
      } catch (err) {
        if (!(err instanceof ExecError)) {
          // Could not start it at all (no such program, not executable).
          const why = (err as Error).message;
          return { command: hook.command, ok: false, exitCode: null, stdout: '', stderr: '', why };
        }
        const why = {
          timeout: `timed out after ${hook.timeoutSec} s`,
          exit: `exit code ${err.exitCode}`,
          signal: 'killed by a signal',
          spawn: err.message.slice(err.message.indexOf('could not be started')),
        }[err.failure];
        return {
          command: hook.command,
          ok: false,
          exitCode: err.exitCode,
          stdout: err.stdout,
          stderr: err.stderr,
          why,
        };
      }
    },
  };
}
