import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { commandReportSchema } from '../../src/protocol/command-result.js';
import { nodeEventSchema } from '../../src/protocol/node-event.js';
import { MAX_ISSUE_CHARS, MAX_PARSE_ISSUES, parsePayload } from '../../src/protocol/parse.js';

const result = {
  v: 1,
  id: 'run-abcdef-0-1',
  outcome: 'succeeded',
  exitCode: 0,
  error: null,
  outputTail: '',
  startedAt: '2026-11-26T06:00:00Z',
  finishedAt: '2026-11-26T06:00:01Z',
};
const ack = {
  v: 1,
  type: 'ack',
  id: 'cmd-abcdef',
  at: '2026-11-26T06:00:00Z',
  duplicate: false,
  bootId: 'b1',
};

function issues(schema: z.ZodType, value: unknown): readonly string[] {
  const r = parsePayload(schema, JSON.stringify(value));
  if (r.ok) throw new Error('expected a failure');
  expect(r.error).toBe(r.issues.join('; '));
  return r.issues;
}

describe('parsePayload: every problem, by field', () => {
  it('names the missing field of a result, not the union (absent type = result)', () => {
    const { outputTail: _gone, ...noTail } = result;
    expect(issues(commandReportSchema, noTail)).toEqual(['outputTail: required (expected string)']);
  });

  it('lists each problem of the branch its type picks', () => {
    const { bootId: _gone, ...noBoot } = ack;
    expect(issues(commandReportSchema, { ...noBoot, duplicate: 'no' })).toEqual([
      'duplicate: Invalid input: expected boolean, received string',
      'bootId: required (expected string)',
    ]);
    expect(
      issues(commandReportSchema, { v: 1, type: 'progress', id: 'cmd-abcdef', at: 'x', state: 'x' }),
    ).toEqual(['state: Invalid option: expected one of "running"|"rebooting"']);
  });

  it('says which types exist when the type matches no branch', () => {
    expect(issues(commandReportSchema, { ...ack, type: 'nack' })).toEqual([
      'type: expected one of "ack", "progress", absent',
    ]);
  });

  it('picks a branch of a union nested in an object, with the full path', () => {
    const schema = z.object({ report: z.array(commandReportSchema) });
    const { outputTail: _gone, ...noTail } = result;
    expect(issues(schema, { report: [result, noTail] })).toEqual([
      'report.1.outputTail: required (expected string)',
    ]);
  });

  it('keeps the discriminated unions’ own issues', () => {
    expect(issues(nodeEventSchema, { v: 1, seq: 0, at: 'x', type: 'log', level: 'loud' })).toEqual([
      'level: Invalid option: expected one of "debug"|"info"|"warn"|"error"',
      'msg: required (expected string)',
    ]);
  });

  it('bounds the report: at most MAX_PARSE_ISSUES problems, each cut to MAX_ISSUE_CHARS', () => {
    const wide = z.object(Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, z.string()])));
    const many = issues(wide, {});
    expect(many).toHaveLength(MAX_PARSE_ISSUES + 1);
    expect(many.at(-1)).toBe(`... ${20 - MAX_PARSE_ISSUES} more`);
    const long = z.record(z.string(), z.number());
    const [one] = issues(long, { ['k'.repeat(10_000)]: 'x' });
    expect(one?.length).toBe(MAX_ISSUE_CHARS);
    expect(one?.endsWith('…')).toBe(true);
  });

  it('never quotes a payload that is not JSON', () => {
    const r = parsePayload(commandReportSchema, 'secret-ish not json');
    expect(r).toEqual({
      ok: false,
      error: 'payload is not valid JSON',
      issues: ['payload is not valid JSON'],
    });
  });
});
