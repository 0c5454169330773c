import { type CommandResult, commandReportSchema, exampleRunStep, exampleSteps } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CommandIntake } from '../../src/session/command-intake.js';
import { CommandQueue } from '../../src/session/command-queue.js';

function intake() {
  const results: CommandResult[] = [];
  const rejected: string[] = [];
  const queue = new CommandQueue();
  const take = new CommandIntake({
    queue,
    journal: { get: async () => null },
    outbound: { ack: () => {}, expectProgress: () => {}, result: (r) => void results.push(r) },
    reject: (what, error) => void rejected.push(`${what}: ${error}`),
    logger: pino({ level: 'silent' }),
    now: () => new Date('2026-11-25T10:00:00.000Z'),
  });
  return { take, queue, results, rejected };
}

describe('a command the agent cannot run', () => {
  it('is answered with a rejected result naming the problem when its id can be read', async () => {
    const { take, queue, results, rejected } = intake();
    const cmd = exampleRunStep(exampleSteps['set-hostname']);
    const future = { ...cmd, body: { ...cmd.body, step: { kind: 'flash-firmware', timeoutSec: 60 } } };
    await take.take(Buffer.from(JSON.stringify(future)));
    expect(rejected).toHaveLength(1);
    expect(queue.has(cmd.id)).toBe(false);
    expect(results).toHaveLength(1);
    const result = commandReportSchema.parse(results[0]);
    expect(result).toMatchObject({ id: cmd.id, outcome: 'rejected', startedAt: null, exitCode: null });
    expect('error' in result && result.error).toMatch(/^this agent cannot run the command: body\.step\.kind/);
  });

  it('gets no answer when not even its id can be read', async () => {
    const { take, results, rejected } = intake();
    await take.take(Buffer.from(JSON.stringify({ v: 1, id: 'x', body: {} })));
    await take.take(Buffer.from('not json'));
    expect(rejected).toHaveLength(2);
    expect(results).toEqual([]);
  });

  it('runs a valid command as before', async () => {
    const { take, queue, results } = intake();
    const cmd = exampleRunStep(exampleSteps['set-hostname']);
    await take.take(Buffer.from(JSON.stringify(cmd)));
    expect(queue.has(cmd.id)).toBe(true);
    expect(results).toEqual([]);
  });
});
