import type { CommandOutcome } from '@osbuild/shared';

/** How long to wait before retrying a failed step. */
export interface RetryPolicy {
  baseMs: number;
  capMs: number;
}

/** What happens to a step once its command has ended. */
export type StepDecision =
  | { next: 'advance' }
  | { next: 'retry'; notBefore: Date }
  | { next: 'fail'; reason: string };

/**
 * Decide a step's fate from its outcome. Steps are idempotent, so a failed, timed-out or
 * interrupted one is retried up to `maxAttempts` with exponential backoff; then the run fails.
 */
export function decideStepOutcome(input: {
  outcome: CommandOutcome;
  attempt: number;
  maxAttempts: number;
  index: number;
  kind: string;
  exitCode: number | null;
  error: string | null;
  now: Date;
  retry: RetryPolicy;
}): StepDecision {
  if (input.outcome === 'succeeded') return { next: 'advance' };
  // A command the agent refused (it cannot parse or run it) will be refused again: no retry.
  if (input.outcome !== 'rejected' && input.attempt < input.maxAttempts) {
    const delay = Math.min(input.retry.capMs, input.retry.baseMs * 2 ** (input.attempt - 1));
    return { next: 'retry', notBefore: new Date(input.now.getTime() + delay) };
  }
  const how =
    input.outcome === 'failed' && input.exitCode !== null ? `exit code ${input.exitCode}` : input.outcome;
  const detail = input.error ? `: ${input.error}` : '';
  return {
    next: 'fail',
    reason: `step ${input.index} (${input.kind}) ${input.outcome === 'failed' ? 'failed' : 'ended'} with ${how} after ${input.attempt} attempt${input.attempt === 1 ? '' : 's'}${detail}`,
  };
}

/** Human label of a step for reasons and logs, e.g. `run-script setup.sh`. */
export function stepLabel(kind: string, spec: Record<string, unknown>): string {
  if (kind === 'run-script' && typeof spec.script === 'string') return `${kind} ${spec.script}`;
  if (kind === 'set-hostname' && typeof spec.hostname === 'string') return `${kind} ${spec.hostname}`;
  return kind;
}
