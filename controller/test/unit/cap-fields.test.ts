import { describe, expect, it } from 'vitest';
import { capField, capFields, capRecord, DETAIL_MAX_BYTES } from '../../src/logging/cap-fields.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('capField', () => {
  it('keeps a value within the cap as it is', () => {
    expect(capField('w-01')).toBe('w-01');
    expect(capField('x'.repeat(256))).toBe('x'.repeat(256));
  });

  it('cuts a longer value and says how many bytes were cut', () => {
    expect(capField('x'.repeat(1_000_000), 10)).toBe('xxxxxxxxxx…[+999990 bytes]');
    expect(capField('x'.repeat(257))).toBe(`${'x'.repeat(256)}…[+1 bytes]`);
  });

  it('counts UTF-8 bytes and never splits a character', () => {
    // 'é' is 2 bytes, '😀' 4 (a surrogate pair in UTF-16).
    expect(capField('ééé', 5)).toBe('éé…[+2 bytes]');
    expect(capField('a😀😀', 4)).toBe('a…[+8 bytes]');
    const cut = capField('😀'.repeat(1000), 256);
    expect(bytes(cut.split('…')[0] ?? '')).toBe(256);
    expect(cut).not.toContain('\uFFFD');
  });
});

describe('capFields', () => {
  it('caps every string at any depth, and keys', () => {
    const out = capFields({ a: 'x'.repeat(2000), b: [{ c: 'y'.repeat(2000) }], ['k'.repeat(100)]: 1 });
    expect(out.a).toBe(`${'x'.repeat(1024)}…[+976 bytes]`);
    expect(out.b[0]?.c).toMatch(/^y{1024}…\[\+976 bytes\]$/);
    expect(Object.keys(out)).toContain(`${'k'.repeat(64)}…[+36 bytes]`);
  });

  it('cuts long arrays, wide objects and deep nesting with a marker', () => {
    const wide = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, i]));
    const out = capFields(
      { list: Array.from({ length: 100 }, (_, i) => i), wide },
      { maxItems: 3, maxKeys: 2 },
    );
    expect(out.list).toEqual([0, 1, 2, '…[+97 items]']);
    expect(out.wide).toEqual({ k0: 0, k1: 1, '…': '+98 keys' });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 20; i++) deep = { deep };
    expect(JSON.stringify(capFields(deep, { maxDepth: 2 }))).toBe(
      '{"deep":{"deep":"…[nested object left out]"}}',
    );
  });

  it('leaves numbers, booleans, null, undefined and class instances alone', () => {
    const err = new Error('boom');
    const out = capFields({ n: 1, t: true, z: null, u: undefined, err });
    expect(out).toEqual({ n: 1, t: true, z: null, u: undefined, err });
    expect(out.err).toBe(err);
  });
});

describe('capRecord', () => {
  it('keeps a record within its byte budget, however many capped strings it has', () => {
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v'.repeat(5000)]));
    const out = capRecord(many);
    expect(bytes(JSON.stringify(out))).toBeLessThanOrEqual(DETAIL_MAX_BYTES);
    expect(out.k0).toMatch(/…\[\+\d+ bytes\]$/);
  });

  it('replaces a record that cannot fit with a marker saying how large it was', () => {
    const out = capRecord({ a: 'x'.repeat(100) }, 10);
    expect(out).toEqual({ '…': expect.stringMatching(/^\+\d+ bytes left out$/) });
  });
});
