import { describe, expect, it } from 'vitest';
import { OutputCoalescer } from '../../src/session/output-coalescer.js';

describe('output coalescing', () => {
  it('batches chunks until the delay passes', async () => {
    const sent: [string, string][] = [];
    const c = new OutputCoalescer((s, t) => sent.push([s, t]), 30, 1024);
    c.push('stdout', 'a\n');
    c.push('stdout', 'b\n');
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual([['stdout', 'a\nb\n']]);
  });

  it('flushes at the size limit and on a change of stream, keeping order', () => {
    const sent: [string, string][] = [];
    const c = new OutputCoalescer((s, t) => sent.push([s, t]), 10_000, 8);
    c.push('stdout', '1234');
    c.push('stdout', '5678');
    c.push('stderr', 'err');
    c.push('stdout', 'x');
    c.flush();
    expect(sent).toEqual([
      ['stdout', '12345678'],
      ['stderr', 'err'],
      ['stdout', 'x'],
    ]);
  });
});
