import {
  type CommandAction,
  type CommandView,
  isTerminalCommandState,
  type RpcParams,
  type RpcResult,
} from '@osbuild/shared';
import { ControllerUnreachableError, RpcCallError, RpcTimeoutError } from '../../rpc/client-errors.js';
import { EXIT, type ExitCode } from '../exit-codes.js';

/** The rpc calls a rollout makes (an RpcClient satisfies it). */
export interface RolloutRpc {
  call(
    method: 'commands.create',
    params: RpcParams<'commands.create'>,
  ): Promise<RpcResult<'commands.create'>>;
  call(method: 'commands.show', params: RpcParams<'commands.show'>): Promise<RpcResult<'commands.show'>>;
}

/** What to do on which nodes, and how many at once. */
export interface RolloutPlan {
  action: CommandAction;
  names: readonly string[];
  maxInFlight: number;
  continueOnError: boolean;
  script?: string;
  args?: string[];
  idempotencyKey?: string;
  ttlSec?: number;
  timeoutSec?: number;
  force?: boolean;
  /** Stop waiting after this many ms (the commands keep their own deadlines on the controller). */
  waitMs?: number;
  pollMs: number;
}

/** How one node's command ended, as far as this rollout saw. */
export type NodeOutcome =
  | { name: string; status: 'done'; command: CommandView; created: boolean }
  /** The CLI stopped waiting (`--wait`) while the command was still live. */
  | { name: string; status: 'still-running'; command: CommandView; created: boolean }
  /** Never started: an earlier node failed and the rollout stopped. */
  | { name: string; status: 'skipped' }
  /** The controller refused to create it (invalid state, conflict, ...). */
  | { name: string; status: 'refused'; message: string };

/** Side effects a rollout needs: time, sleeping, and where progress goes. */
export interface RolloutIo {
  now(): number;
  sleep(ms: number): Promise<void>;
  progress(name: string, command: CommandView): void;
  refused(name: string, message: string): void;
}

/**
 * Run one command per node with at most `maxInFlight` live at a time. A node whose command does
 * not succeed stops the rollout (nodes not yet started are skipped) unless `continueOnError`;
 * commands already in flight are waited for either way.
 */
export async function runRollout(rpc: RolloutRpc, plan: RolloutPlan, io: RolloutIo): Promise<NodeOutcome[]> {
  const outcomes = new Map<string, NodeOutcome>();
  const queue = [...plan.names];
  let stopped = false;
  const until = plan.waitMs === undefined ? Number.POSITIVE_INFINITY : io.now() + plan.waitMs;

  const one = async (name: string): Promise<void> => {
    let made: RpcResult<'commands.create'>;
    try {
      made = await rpc.call('commands.create', {
        action: plan.action,
        name,
        ...(plan.script !== undefined ? { script: plan.script } : {}),
        ...(plan.args !== undefined ? { args: plan.args } : {}),
        ...(plan.idempotencyKey !== undefined ? { idempotencyKey: plan.idempotencyKey } : {}),
        ...(plan.ttlSec !== undefined ? { ttlSec: plan.ttlSec } : {}),
        ...(plan.timeoutSec !== undefined ? { timeoutSec: plan.timeoutSec } : {}),
        ...(plan.force ? { force: true } : {}),
      });
    } catch (err) {
      if (!(err instanceof RpcCallError) || err.errorCode === 'internal' || err.errorCode === 'unavailable')
        throw err;
      outcomes.set(name, { name, status: 'refused', message: err.message });
      io.refused(name, err.message);
      if (!plan.continueOnError) stopped = true;
      return;
    }
    const { command, created } = made;
    let current = command;
    io.progress(name, current);
    while (!isTerminalCommandState(current.state)) {
      if (io.now() >= until) {
        outcomes.set(name, { name, status: 'still-running', command: current, created });
        stopped = stopped || !plan.continueOnError;
        return;
      }
      await io.sleep(plan.pollMs);
      const next = await showPatiently(rpc, current.id, io, plan.pollMs);
      if (next.state !== current.state) io.progress(name, next);
      current = next;
    }
    outcomes.set(name, { name, status: 'done', command: current, created });
    if (current.state !== 'succeeded' && !plan.continueOnError) stopped = true;
  };

  const workers = Array.from(
    { length: Math.max(1, Math.min(plan.maxInFlight, plan.names.length)) },
    async () => {
      for (;;) {
        if (stopped) return;
        const name = queue.shift();
        if (name === undefined) return;
        await one(name);
      }
    },
  );
  await Promise.all(workers);
  return plan.names.map((name) => outcomes.get(name) ?? { name, status: 'skipped' as const });
}

/** A slow answer in a long rollout is not a reason to give up: retry a few times before failing. */
async function showPatiently(
  rpc: RolloutRpc,
  id: string,
  io: RolloutIo,
  pollMs: number,
): Promise<CommandView> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rpc.call('commands.show', { id });
    } catch (err) {
      const transient = err instanceof RpcTimeoutError || err instanceof ControllerUnreachableError;
      if (!transient || attempt >= 3) throw err;
      await io.sleep(Math.max(pollMs, 1000));
    }
  }
}

/**
 * 0 when every command succeeded; 8 when any failed, was rejected or skipped; else 4 when the
 * controller refused one; else 9 (timed out, expired, or still running when the CLI stopped waiting).
 */
export function rolloutExitCode(outcomes: readonly NodeOutcome[]): ExitCode {
  let timedOut = false;
  let refused = false;
  for (const o of outcomes) {
    if (o.status === 'skipped') return EXIT.commandFailed;
    if (o.status === 'refused') {
      refused = true;
      continue;
    }
    const s = o.command.state;
    if (s === 'failed' || s === 'rejected') return EXIT.commandFailed;
    if (o.status === 'still-running' || s === 'timed-out' || s === 'expired') timedOut = true;
  }
  if (refused) return EXIT.refused;
  return timedOut ? EXIT.commandTimedOut : EXIT.ok;
}
