import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  HANDLER_FAILED,
  REJECTED_MESSAGE,
  REJECTIONS_SUPPRESSED,
  RejectedMessages,
} from '../../src/server/rejected-messages.js';

/** A rejection log on a clock the test moves, writing its lines into an array. */
function rejectionLog(limits = { perWindow: 3, windowMs: 60_000, maxKeys: 2 }) {
  let nowMs = Date.parse('2026-11-26T06:00:00Z');
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const log = new RejectedMessages({ logger, clock: { now: () => new Date(nowMs) }, limits });
  return {
    log,
    lines,
    advance: (ms: number) => {
      nowMs += ms;
    },
  };
}

const bad = (principal: string, kind = 'cmd-result') => ({
  kind,
  topic: `osbuild/v1/nodes/${principal.split(':')[1]}/${kind}`,
  principal,
  issues: ['outputTail: required (expected string)'],
});

describe('rejected messages: every one counted, a bounded number logged', () => {
  it('logs the topic, the sender and each problem', () => {
    const { log, lines } = rejectionLog();
    log.record(bad('node:pi-a1'));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: REJECTED_MESSAGE,
        kind: 'cmd-result',
        topic: 'osbuild/v1/nodes/pi-a1/cmd-result',
        principal: 'node:pi-a1',
        issues: ['outputTail: required (expected string)'],
      }),
    ]);
    expect(log.byKind()).toEqual({ 'cmd-result': 1 });
  });

  it('logs the first perWindow per sender and kind, then one summary when the window ends', () => {
    const { log, lines, advance } = rejectionLog();
    for (let i = 0; i < 50; i++) log.record(bad('node:pi-a1'));
    log.record(bad('node:pi-a1', 'status'));
    expect(lines.filter((l) => l.msg === REJECTED_MESSAGE)).toHaveLength(4);
    expect(log.byKind()).toEqual({ 'cmd-result': 50, status: 1 });
    expect(log.suppressedByKind()).toEqual({ 'cmd-result': 47 });

    log.flush(); // the window is still open: nothing to sum up yet
    expect(lines.filter((l) => l.msg === REJECTIONS_SUPPRESSED)).toEqual([]);
    advance(60_000);
    log.flush();
    expect(lines.filter((l) => l.msg === REJECTIONS_SUPPRESSED)).toEqual([
      expect.objectContaining({
        principal: 'node:pi-a1',
        kind: 'cmd-result',
        suppressed: 47,
        logged: 3,
        since: '2026-11-26T06:00:00.000Z',
      }),
    ]);
    // A new window logs again.
    log.record(bad('node:pi-a1'));
    expect(lines.at(-1)).toMatchObject({ msg: REJECTED_MESSAGE, principal: 'node:pi-a1' });
  });

  it('sums up a window when its sender comes back after it ended, even before a flush', () => {
    const { log, lines, advance } = rejectionLog();
    for (let i = 0; i < 5; i++) log.record(bad('node:pi-a1'));
    advance(61_000);
    log.record(bad('node:pi-a1'));
    expect(lines.slice(-2).map((l) => [l.msg, l.suppressed])).toEqual([
      [REJECTIONS_SUPPRESSED, 2],
      [REJECTED_MESSAGE, undefined],
    ]);
  });

  it('shares one window among senders beyond maxKeys, so many senders cannot flood either', () => {
    const { log, lines, advance } = rejectionLog();
    for (let n = 0; n < 100; n++) log.record(bad(`claim:pi-${String(n).padStart(3, '0')}`, 'claim'));
    // Two senders' own windows (one line each), then the shared window's three lines.
    expect(lines.filter((l) => l.msg === REJECTED_MESSAGE)).toHaveLength(5);
    expect(log.byKind()).toEqual({ claim: 100 });
    advance(60_000);
    log.flush();
    expect(lines.at(-1)).toMatchObject({
      msg: REJECTIONS_SUPPRESSED,
      principal: '(other senders)',
      kind: '(any)',
      suppressed: 95,
    });
  });

  it('logs a handler failure at error level with its exception', () => {
    const { log, lines } = rejectionLog();
    log.record({ ...bad('node:pi-a1', 'hello'), kind: 'handler-error', issues: [], err: new Error('bug') });
    expect(lines[0]).toMatchObject({ level: 50, msg: HANDLER_FAILED, err: { message: 'bug' } });
    expect(log.byKind()).toEqual({ 'handler-error': 1 });
  });
});
