import { describe, expect, it } from 'vitest';
import { OTHER_SOURCES, RefusalSummary } from '../../src/logging/refusal-summary.js';

function summary(maxSources = 100) {
  const clock = { t: 0 };
  const s = new RefusalSummary({ windowMs: 60_000, maxSources, now: () => clock.t });
  return { s, clock };
}

describe('RefusalSummary', () => {
  it('writes the first refusal of a source, counts the rest, and hands out the count once the window ends', () => {
    const { s, clock } = summary();
    expect(s.admit('login', '10.0.0.5')).toEqual({ write: true });
    for (let i = 0; i < 199; i++) expect(s.admit('login', '10.0.0.5')).toEqual({ write: false });
    clock.t = 59_999;
    expect(s.ended()).toEqual([]);
    clock.t = 60_000;
    expect(s.ended()).toEqual([{ kind: 'login', source: '10.0.0.5', count: 199, seconds: 60 }]);
    expect(s.ended()).toEqual([]);
    // A new window: written in full again.
    expect(s.admit('login', '10.0.0.5')).toEqual({ write: true });
  });

  it('keeps sources and kinds apart', () => {
    const { s } = summary();
    expect(s.admit('login', 'a').write).toBe(true);
    expect(s.admit('login', 'b').write).toBe(true);
    expect(s.admit('subscribe', 'a').write).toBe(true);
    expect(s.admit('login', 'a').write).toBe(false);
  });

  it('hands out an ended window with the next refusal when no flush came between', () => {
    const { s, clock } = summary();
    s.admit('login', 'a');
    s.admit('login', 'a');
    clock.t = 90_000;
    expect(s.admit('login', 'a')).toEqual({
      write: true,
      summary: { kind: 'login', source: 'a', count: 1, seconds: 60 },
    });
  });

  it('forgets a window without further refusals silently', () => {
    const { s, clock } = summary();
    s.admit('login', 'a');
    clock.t = 60_000;
    expect(s.ended()).toEqual([]);
    expect(s.drain()).toEqual([]);
  });

  it('drains every count at shutdown, ended or not', () => {
    const { s, clock } = summary();
    s.admit('login', 'a');
    s.admit('login', 'a');
    s.admit('publish', 'node:x');
    s.admit('publish', 'node:x');
    s.admit('publish', 'node:x');
    clock.t = 1_500;
    expect(s.drain()).toEqual([
      { kind: 'login', source: 'a', count: 1, seconds: 2 },
      { kind: 'publish', source: 'node:x', count: 2, seconds: 2 },
    ]);
    expect(s.admit('login', 'a').write).toBe(true);
  });

  it('counts sources beyond its limit together, so memory stays bounded', () => {
    const { s } = summary(3);
    for (const src of ['a', 'b', 'c']) s.admit('login', src);
    expect(s.admit('login', 'd')).toEqual({ write: true });
    for (let i = 0; i < 50; i++) expect(s.admit('login', `spray-${i}`).write).toBe(false);
    expect(s.drain()).toEqual([{ kind: 'login', source: OTHER_SOURCES, count: 50, seconds: 1 }]);
  });
});
