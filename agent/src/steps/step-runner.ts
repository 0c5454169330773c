import { type CommandResult, PROTOCOL_VERSION, type Step, type StepSecrets } from '@osbuild/shared';
import type { OutputStream } from '../host/exec.js';
import { executeStep } from './executors.js';
import { OutputTail } from './output-tail.js';
import type { ExecutorTable, StepContext, StepOutcome } from './types.js';

/** Why a step's signal was aborted: its own timeout, or the agent session going away. */
export class StepTimeout extends Error {
  constructor(readonly seconds: number) {
    super(`step timed out after ${seconds} s`);
  }
}

/** What running one command produced. */
export type RunOutcome =
  | { kind: 'result'; result: CommandResult }
  /** No verdict in this process: a reboot is under way, or the agent session ended mid-step. */
  | { kind: 'no-result'; reason: 'awaiting-reboot' | 'session-ended' };

/** Context shared by all steps of a session; the runner adds signal and output per step. */
export type BaseContext = Omit<StepContext, 'signal' | 'output'>;

/**
 * Run one step with its timeout, collecting an output tail and mapping the executor's outcome to a
 * protocol result. `sessionSignal` aborts when the agent stops or restarts in-process.
 */
export async function runStepCommand(
  id: string,
  body: { step: Step; secrets?: StepSecrets },
  startedAt: string,
  base: BaseContext,
  table: ExecutorTable,
  sessionSignal: AbortSignal,
  onOutput: (stream: OutputStream, text: string) => void,
): Promise<RunOutcome> {
  const step = body.step;
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new StepTimeout(step.timeoutSec)), step.timeoutSec * 1000);
  const onSession = () => ac.abort(sessionSignal.reason);
  sessionSignal.addEventListener('abort', onSession, { once: true });
  if (sessionSignal.aborted) onSession();
  const tail = new OutputTail();
  const output = (stream: OutputStream, text: string) => {
    tail.push(text);
    onOutput(stream, text);
  };

  let outcome: StepOutcome | null = null;
  let thrown: unknown = null;
  try {
    outcome = await executeStep(table, step, {
      ...base,
      signal: ac.signal,
      output,
      ...(body.secrets ? { secrets: body.secrets } : {}),
    });
    if (outcome.status === 'awaiting-reboot' && !ac.signal.aborted) {
      // A real reboot kills this process long before this resolves; if it does not come, the
      // step's timeout turns it into a timed-out result.
      await new Promise<void>((resolve) =>
        ac.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
    }
  } catch (err) {
    thrown = err;
  } finally {
    clearTimeout(timer);
    sessionSignal.removeEventListener('abort', onSession);
  }

  if (sessionSignal.aborted) {
    return {
      kind: 'no-result',
      reason: outcome?.status === 'awaiting-reboot' ? 'awaiting-reboot' : 'session-ended',
    };
  }
  const finish = (partial: Omit<CommandResult, 'v' | 'id' | 'outputTail' | 'startedAt' | 'finishedAt'>) => ({
    kind: 'result' as const,
    result: {
      v: PROTOCOL_VERSION,
      id,
      outputTail: tail.toString(),
      startedAt,
      finishedAt: base.now().toISOString(),
      ...partial,
    },
  });
  if (ac.signal.reason instanceof StepTimeout) {
    return finish({ outcome: 'timed-out', exitCode: null, error: ac.signal.reason.message });
  }
  if (thrown !== null || outcome === null) {
    const message = thrown instanceof Error ? thrown.message : String(thrown);
    return finish({ outcome: 'failed', exitCode: null, error: message });
  }
  switch (outcome.status) {
    case 'succeeded':
      return finish({
        outcome: 'succeeded',
        exitCode: outcome.exitCode ?? null,
        error: null,
        changed: outcome.changed,
        ...(outcome.secret !== undefined ? { secret: outcome.secret } : {}),
      });
    case 'failed':
      return finish({ outcome: 'failed', exitCode: outcome.exitCode ?? null, error: outcome.error });
    case 'awaiting-reboot':
      return { kind: 'no-result', reason: 'awaiting-reboot' };
  }
}
