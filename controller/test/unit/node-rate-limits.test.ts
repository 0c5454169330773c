import { PROTOCOL_VERSION } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CONTROLLER_DEFAULTS, type NodeRateLimits as Limits } from '../../src/server/controller-options.js';
import { NodeRateLimits } from '../../src/server/node-rate-limits.js';

function limiter(overrides: Partial<Limits> = {}) {
  let t = 0;
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const limits = new NodeRateLimits({
    limits: { ...CONTROLLER_DEFAULTS.nodeRateLimits, ...overrides },
    clock: { now: () => new Date(t) },
    logger,
    logWindowMs: 60_000,
  });
  return { limits, lines, advance: (ms: number) => (t += ms) };
}

const output = (text: string) =>
  ({
    v: PROTOCOL_VERSION,
    seq: 1,
    at: '',
    type: 'command-output',
    cmdId: 'cmd-1',
    stream: 'stdout',
    text,
  }) as const;

describe('NodeRateLimits', () => {
  it('admits a burst per node and kind, then the rate; drops are counted by node and kind', () => {
    const { limits, advance } = limiter({ 'cmd-result': { burst: 3, perSecond: 2 } });
    const take = (node: string) => limits.admitMessage(node, 'cmd-result');
    expect([take('a'), take('a'), take('a'), take('a'), take('a')]).toEqual([true, true, true, false, false]);
    // Another node, and another kind of the same node, have their own buckets.
    expect(take('b')).toBe(true);
    expect(limits.admitMessage('a', 'telemetry')).toBe(true);
    advance(500);
    expect([take('a'), take('a')]).toEqual([true, false]);
    expect(limits.dropped()).toEqual({ byKind: { 'cmd-result': 3 }, byNode: { a: { 'cmd-result': 3 } } });
  });

  it('never limits claims (they have their own limit) or the controller’s own topics', () => {
    const { limits } = limiter({ hello: { burst: 1, perSecond: 0.001 } });
    for (let i = 0; i < 100; i++) {
      expect(limits.admitMessage('a', 'claim')).toBe(true);
      expect(limits.admitMessage('a', 'cmd')).toBe(true);
    }
    expect(limits.dropped().byKind).toEqual({});
  });

  it('charges log text by the byte; an event bigger than the burst passes only on a full bucket', () => {
    const { limits, advance } = limiter({ 'log-bytes': { burst: 1000, perSecond: 100 } });
    expect(limits.admitLogEvent('a', output('x'.repeat(600)))).toBe(true);
    expect(limits.admitLogEvent('a', output('x'.repeat(600)))).toBe(false);
    expect(limits.admitLogEvent('a', output('x'.repeat(400)))).toBe(true);
    advance(10_000);
    expect(limits.admitLogEvent('a', output('x'.repeat(5000)))).toBe(true);
    expect(limits.admitLogEvent('a', output('x'))).toBe(false);
    // command-started carries no text and costs nothing.
    expect(
      limits.admitLogEvent('a', {
        v: PROTOCOL_VERSION,
        seq: 2,
        at: '',
        type: 'command-started',
        cmdId: 'cmd-1',
      }),
    ).toBe(true);
    expect(limits.dropped().byNode).toEqual({ a: { 'log-bytes': 2 } });
  });

  it('logs one line per node per window with the counts, nothing when nothing dropped', () => {
    const { limits, lines } = limiter({ events: { burst: 1, perSecond: 0.001 } });
    for (let i = 0; i < 50; i++) limits.admitMessage('a', 'events');
    for (let i = 0; i < 5; i++) limits.admitMessage('b', 'events');
    expect(lines).toEqual([]);
    limits.logDrops();
    expect(lines).toMatchObject([
      {
        nodeId: 'a',
        dropped: { events: 49 },
        windowSec: 60,
        msg: 'node messages dropped over the per-node rate limit',
      },
      { nodeId: 'b', dropped: { events: 4 } },
    ]);
    limits.logDrops();
    expect(lines).toHaveLength(2);
    // The totals keep counting across windows.
    limits.admitMessage('a', 'events');
    limits.logDrops();
    expect(lines[2]).toMatchObject({ nodeId: 'a', dropped: { events: 1 } });
    expect(limits.dropped().byNode.a).toEqual({ events: 50 });
  });

  it('names the 20 nodes that dropped most and sums up the rest in one line', () => {
    const { limits, lines } = limiter({ status: { burst: 1, perSecond: 0.001 } });
    for (let n = 0; n < 30; n++) for (let i = 0; i <= n + 1; i++) limits.admitMessage(`n${n}`, 'status');
    limits.logDrops();
    expect(lines).toHaveLength(21);
    expect(lines[0]).toMatchObject({ nodeId: 'n29', dropped: { status: 30 } });
    // n0..n9 dropped 1..10 each.
    expect(lines[20]).toMatchObject({ nodes: 10, dropped: 55 });
    expect(Object.keys(limits.dropped().byNode)).toHaveLength(20);
    expect(limits.dropped().byKind.status).toBe((30 * 31) / 2);
  });

  it('has defaults above what an agent sends: telemetry every second, 8 KiB output every 200 ms', () => {
    const { limits, advance } = limiter();
    for (let s = 0; s < 600; s++) {
      expect(limits.admitMessage('a', 'telemetry')).toBe(true);
      for (let i = 0; i < 5; i++) {
        expect(limits.admitMessage('a', 'events')).toBe(true);
        expect(limits.admitLogEvent('a', output('z'.repeat(8 * 1024)))).toBe(true);
        advance(200);
      }
    }
    expect(limits.dropped().byKind).toEqual({});
  });
});
