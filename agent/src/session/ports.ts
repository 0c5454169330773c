import type { Command, CommandResult } from '@osbuild/shared';
import type { OutputStream } from '../host/exec.js';
import type { RunOutcome } from '../steps/step-runner.js';

/** Where commands come from (tinkerbell's "read an action"). */
export interface CommandSource {
  /** The next command in arrival order, or null once `signal` aborts. */
  next(signal: AbortSignal): Promise<Command | null>;
}

/** Runs one command's step to an outcome (tinkerbell's "execute it"). */
export type StepRunner = (
  cmd: Command,
  startedAt: string,
  signal: AbortSignal,
  onOutput: (stream: OutputStream, text: string) => void,
) => Promise<RunOutcome>;

/** Where progress and results go (tinkerbell's "write the result"). */
export interface EventSink {
  commandStarted(cmdId: string): void;
  output(cmdId: string, stream: OutputStream, text: string): void;
  log(level: 'debug' | 'info' | 'warn' | 'error', msg: string): void;
  /** Send a result; the sink marks it reported once the broker acknowledges it. */
  result(result: CommandResult): void;
}
