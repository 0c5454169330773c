import { describe, expect, it } from 'vitest';
import { matchesSelector, parseSelector } from '../../src/operator-commands/selector.js';

describe('label selectors', () => {
  const worker = { role: 'worker', zone: 'a', site: 'lab' };
  it('parses =, ==, !=, key and !key', () => {
    expect(parseSelector('role=worker, zone!=b,gpu,!spare,site==lab')).toEqual([
      { op: '=', key: 'role', value: 'worker' },
      { op: '!=', key: 'zone', value: 'b' },
      { op: 'exists', key: 'gpu' },
      { op: '!exists', key: 'spare' },
      { op: '=', key: 'site', value: 'lab' },
    ]);
  });
  it('matches every requirement', () => {
    expect(matchesSelector(parseSelector('role=worker,zone=a'), worker)).toBe(true);
    expect(matchesSelector(parseSelector('role=worker,zone=b'), worker)).toBe(false);
    expect(matchesSelector(parseSelector('zone!=b'), worker)).toBe(true);
    expect(matchesSelector(parseSelector('gpu!=yes'), worker)).toBe(true);
    expect(matchesSelector(parseSelector('site'), worker)).toBe(true);
    expect(matchesSelector(parseSelector('!site'), worker)).toBe(false);
    expect(matchesSelector(parseSelector('toString'), worker)).toBe(false);
  });
  it('refuses empty and set-based selectors with a clear error', () => {
    expect(() => parseSelector(' , ')).toThrow(/empty label selector/);
    expect(() => parseSelector('zone in (a,b)')).toThrow(/set-based selectors are not supported/);
    expect(() => parseSelector('zone in a')).toThrow(/invalid selector term "zone in a"/);
    expect(() => parseSelector('role=wor ker')).toThrow(/invalid label value/);
  });
});
