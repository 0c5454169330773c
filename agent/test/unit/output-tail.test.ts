import { describe, expect, it } from 'vitest';
import { OutputTail } from '../../src/steps/output-tail.js';

describe('output tail', () => {
  it('keeps the last bytes without splitting a UTF-8 character', () => {
    const t = new OutputTail(10);
    t.push('0123456789');
    t.push('abcdéf');
    const s = t.toString();
    expect(Buffer.byteLength(s)).toBeLessThanOrEqual(10);
    expect(s.endsWith('abcdéf')).toBe(true);
    expect(s).not.toContain('\uFFFD');
  });
});
