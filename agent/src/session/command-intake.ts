import {
  type Command,
  commandHeaderSchema,
  commandSchema,
  PROTOCOL_VERSION,
  parsePayload,
} from '@osbuild/shared';
import type { Logger } from 'pino';
import type { Journal, JournalEntry } from '../journal/journal.js';
import type { CommandQueue } from './command-queue.js';
import { isOperatorCommand } from './command-step.js';
import type { Outbound } from './outbound.js';

/** What {@link CommandIntake} needs. */
export interface CommandIntakeDeps {
  queue: CommandQueue;
  journal: Pick<Journal, 'get'>;
  outbound: Pick<Outbound, 'ack' | 'result' | 'expectProgress'>;
  reject: (what: string, error: string) => void;
  logger: Logger;
  now: () => Date;
}

/**
 * Takes commands off the `cmd` topic. The broker redelivers QoS 1 messages and the controller
 * resends a command under the same id, so every duplicate is answered (an ack for operator
 * commands, the recorded result when there is one) and never run twice. New commands join the
 * queue the command loop runs from.
 */
export class CommandIntake {
  readonly #deps: CommandIntakeDeps;
  /** The command the command loop is running, or null between commands. */
  #running: string | null = null;

  constructor(deps: CommandIntakeDeps) {
    this.#deps = deps;
  }

  /** The command loop reports which command it is running. */
  markRunning(id: string | null): void {
    this.#running = id;
  }

  /** One message on `cmd`. */
  async take(payload: Buffer): Promise<void> {
    const parsed = parsePayload(commandSchema, payload);
    if (!parsed.ok) {
      this.#deps.reject('command', parsed.error);
      return this.#refuse(payload, parsed.error);
    }
    const cmd = parsed.value;
    if (this.#isInFlight(cmd)) return this.#answerInFlight(cmd);
    const entry = await this.#deps.journal.get(cmd.id);
    if (entry) return this.#answerJournalled(cmd, entry);
    this.#accept(cmd);
  }

  /**
   * A command we cannot run (a step kind this agent does not know, a field out of bounds) but
   * whose id we can read gets a `rejected` result: the controller does not retry a rejection, and
   * need not wait for the deadline. Not journalled: a re-sent copy is refused the same way.
   */
  #refuse(payload: Buffer, error: string): void {
    const header = parsePayload(commandHeaderSchema, payload);
    if (!header.ok) return;
    const now = this.#deps.now().toISOString();
    this.#deps.outbound.result({
      v: PROTOCOL_VERSION,
      id: header.value.id,
      outcome: 'rejected',
      exitCode: null,
      error: `this agent cannot run the command: ${error}`,
      outputTail: '',
      startedAt: null,
      finishedAt: now,
    });
  }

  #isInFlight(cmd: Command): boolean {
    return this.#running === cmd.id || this.#deps.queue.has(cmd.id);
  }

  /** Running or queued already: its own result will follow. */
  #answerInFlight(cmd: Command): void {
    this.#deps.logger.debug({ cmdId: cmd.id }, 'duplicate of a running or queued command ignored');
    if (isOperatorCommand(cmd)) this.#deps.outbound.ack(cmd.id, true);
  }

  /** Seen in an earlier session: re-publish its result if it has one, else it is still settling. */
  #answerJournalled(cmd: Command, entry: JournalEntry): void {
    const recorded = entry.state === 'finished' ? entry.result : undefined;
    if (recorded)
      this.#deps.logger.info({ cmdId: cmd.id }, 'duplicate command: re-publishing its recorded result');
    if (isOperatorCommand(cmd)) this.#deps.outbound.ack(cmd.id, true);
    if (recorded) this.#deps.outbound.result(recorded);
  }

  #accept(cmd: Command): void {
    if (isOperatorCommand(cmd)) {
      this.#deps.outbound.expectProgress(cmd.id, cmd.body.type === 'reboot' ? 'rebooting' : 'running');
      this.#deps.outbound.ack(cmd.id, false);
    }
    this.#deps.queue.push(cmd);
  }
}
