import { describe, expect, it } from 'vitest';
import { parseProcStat } from '../../src/host/process-table.js';

describe('parseProcStat', () => {
  it('reads state, process group and start time after the last ) of comm', () => {
    const line =
      '5159 (my (odd) prog) S 5155 5160 5159 0 -1 4194304 295 0 0 0 0 0 0 0 20 0 1 0 1274724 4464640 758 0 0\n';
    expect(parseProcStat(line)).toEqual({ pid: 5159, pgid: 5160, startTime: '1274724', state: 'S' });
  });

  it('returns null for what is not a stat line', () => {
    expect(parseProcStat('')).toBeNull();
    expect(parseProcStat('12 (short) S 1 2')).toBeNull();
  });
});
