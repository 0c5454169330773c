// One plan step's round trip: the command that carries it to the agent, and what its result (or
// its missed deadline) does to the step. Runs inside the provisioner's transactions.
import { type Command, type CommandResult, PROTOCOL_VERSION, type StepSecrets } from '@osbuild/shared';
import type { StepRecord } from '../store/run-store.js';
import type { ProvisionerDeps } from './provisioner-deps.js';
import { decideStepOutcome, stepLabel } from './step-outcome.js';

/** Record the next attempt of `step` as running and return the command that carries it. */
export function dispatchStep(
  deps: ProvisionerDeps,
  step: StepRecord,
  runId: string,
  now: Date,
  secrets?: StepSecrets,
): Command {
  const attempt = step.attempt + 1;
  const deadline = new Date(now.getTime() + step.spec.timeoutSec * 1000 + deps.deadlineGraceMs).toISOString();
  const cmdId = `${runId}-${step.idx}-${attempt}`;
  deps.store.runs.markDispatched({ runId, idx: step.idx, attempt, cmdId, deadline, now: now.toISOString() });
  const nodeId = deps.store.runs.get(runId)?.node_id ?? '';
  deps.phases.move(
    nodeId,
    'provisioning',
    `step ${step.idx} (${stepLabel(step.kind, step.spec)}) attempt ${attempt}`,
  );
  deps.store.events.append(
    nodeId,
    'step-dispatched',
    { runId, index: step.idx, kind: step.kind, attempt, cmdId },
    now.toISOString(),
  );
  const stored = deps.store.runs.stepByCmdId(cmdId);
  if (!stored) throw new Error(`step ${cmdId} was not stored`);
  return stepCommand(stored, runId, now.toISOString(), secrets);
}

/** The `run-step` command of a dispatched step (also used to re-send it with the same id). */
export function stepCommand(step: StepRecord, runId: string, now: string, secrets?: StepSecrets): Command {
  return {
    v: PROTOCOL_VERSION,
    id: step.cmd_id ?? '',
    deadline: step.deadline ?? now,
    body: {
      type: 'run-step',
      runId,
      index: step.idx,
      attempt: step.attempt,
      step: step.spec,
      ...(secrets ? { secrets } : {}),
    },
  };
}

/** Store how an attempt ended and whether the step advances, is retried later, or fails the run. */
export function finishStep(
  deps: ProvisionerDeps,
  step: StepRecord,
  maxAttempts: number,
  result: Pick<CommandResult, 'outcome' | 'exitCode' | 'error' | 'outputTail'>,
  now: Date,
): void {
  const decision = decideStepOutcome({
    outcome: result.outcome,
    attempt: step.attempt,
    maxAttempts,
    index: step.idx,
    kind: stepLabel(step.kind, step.spec),
    exitCode: result.exitCode,
    error: result.error,
    now,
    retry: deps.retry,
  });
  const state = decision.next === 'advance' ? 'succeeded' : decision.next === 'retry' ? 'pending' : 'failed';
  deps.store.runs.markFinished({
    runId: step.run_id,
    idx: step.idx,
    state,
    notBefore: decision.next === 'retry' ? decision.notBefore.toISOString() : null,
    exitCode: result.exitCode,
    error: decision.next === 'fail' ? decision.reason : result.error,
    outputTail: result.outputTail,
    now: now.toISOString(),
  });
  const nodeId = deps.store.runs.get(step.run_id)?.node_id ?? null;
  const what = {
    runId: step.run_id,
    index: step.idx,
    kind: step.kind,
    attempt: step.attempt,
    outcome: result.outcome,
  };
  deps.store.events.append(
    nodeId,
    'step-finished',
    { ...what, exitCode: result.exitCode, decision: decision.next },
    now.toISOString(),
  );
  deps.logger.info({ nodeId, ...what, decision: decision.next }, 'step finished');
  if (step.started_at) {
    deps.onStepFinished?.(step.kind, result.outcome, (now.getTime() - Date.parse(step.started_at)) / 1000);
  }
}
