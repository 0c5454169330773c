import { type Command, type CommandResult, PROTOCOL_VERSION } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Journal, JournalEntry } from '../journal/journal.js';
import { commandStep, isOperatorCommand } from './command-step.js';
import { OutputCoalescer } from './output-coalescer.js';
import type { CommandSource, EventSink, StepRunner } from './ports.js';

/** What the command loop needs. */
export interface CommandLoopDeps {
  source: CommandSource;
  runner: StepRunner;
  sink: EventSink;
  journal: Journal;
  bootId: string;
  now: () => Date;
  logger: Logger;
  /** Called with the id of the command being run, or null between commands. */
  setRunning(id: string | null): void;
  onCommandRun(): void;
}

/** Prune the journal after this many finished commands rather than after each one. */
const PRUNE_EVERY = 50;

/** Run commands one at a time, in arrival order, journaling before and after each. */
export async function runCommandLoop(deps: CommandLoopDeps, signal: AbortSignal): Promise<void> {
  let sincePrune = 0;
  for (;;) {
    const cmd = await deps.source.next(signal);
    if (!cmd) return;
    deps.setRunning(cmd.id);
    try {
      await runOne(deps, cmd, signal);
    } catch (err) {
      deps.logger.error({ err, cmdId: cmd.id }, 'command failed inside the agent');
    } finally {
      deps.setRunning(null);
    }
    if (++sincePrune >= PRUNE_EVERY) {
      sincePrune = 0;
      await deps.journal.prune().catch((err) => deps.logger.warn({ err }, 'journal prune failed'));
    }
  }
}

async function runOne(deps: CommandLoopDeps, cmd: Command, signal: AbortSignal): Promise<void> {
  const body = commandStep(cmd);
  const startedAt = deps.now().toISOString();
  const entry: JournalEntry = {
    id: cmd.id,
    runId: body.runId,
    index: body.index,
    kind: body.step.kind,
    state: 'started',
    bootId: deps.bootId,
    startedAt,
    reported: false,
  };
  if (isOperatorCommand(cmd) && Date.parse(cmd.deadline) <= deps.now().getTime()) {
    // The controller has stopped waiting: running it now would surprise everyone.
    const result: CommandResult = {
      v: PROTOCOL_VERSION,
      id: cmd.id,
      outcome: 'rejected',
      exitCode: null,
      error: `the command's deadline ${cmd.deadline} passed before it could start`,
      outputTail: '',
      startedAt: null,
      finishedAt: startedAt,
    };
    await deps.journal.put({ ...entry, state: 'finished', result });
    deps.logger.warn({ cmdId: cmd.id, deadline: cmd.deadline }, 'command rejected: past its deadline');
    deps.sink.result(result);
    return;
  }
  // Journal first: if the agent or node dies from here on, the next start reports the outcome.
  await deps.journal.put(entry);
  deps.onCommandRun();
  deps.logger.info(
    { cmdId: cmd.id, runId: body.runId, index: body.index, kind: body.step.kind },
    'command started',
  );
  deps.sink.commandStarted(cmd.id);
  const coalescer = new OutputCoalescer((stream, text) => deps.sink.output(cmd.id, stream, text));
  let outcome: Awaited<ReturnType<StepRunner>>;
  try {
    outcome = await deps.runner(cmd, startedAt, signal, (stream, text) => coalescer.push(stream, text));
  } finally {
    coalescer.flush();
  }
  if (outcome.kind === 'no-result') {
    // The entry stays `started`; the next session resolves it (reboot -> succeeded, else interrupted).
    deps.logger.info({ cmdId: cmd.id, reason: outcome.reason }, 'command left for the next session');
    return;
  }
  await deps.journal.put({ ...entry, state: 'finished', result: outcome.result, reported: false });
  deps.logger.info({ cmdId: cmd.id, outcome: outcome.result.outcome }, 'command finished');
  deps.sink.result(outcome.result);
}
