import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  GENESIS_HASH,
  hashRecord,
  linkProblem,
  parseRecordLine,
  recordProblem,
  serializeRecord,
} from '../../src/audit/audit-record.js';
import { canonicalJson } from '../../src/audit/canonical-json.js';

function sealed(body: Omit<AuditRecord, 'hash'>): AuditRecord {
  return { ...body, hash: hashRecord(body) };
}

const first = sealed({
  seq: 1,
  at: '2025-01-01T10:00:00.000Z',
  actor: 'alice',
  action: 'nodes.approve',
  target: 'pi-1',
  result: 'ok',
  detail: { hostname: 'k8s-w1', role: 'worker' },
  prev: GENESIS_HASH,
});

describe('canonicalJson', () => {
  it('sorts keys recursively and leaves no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x y' } })).toBe(
      '{"a":{"c":"x y","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same bytes whatever order the keys were built in', () => {
    expect(canonicalJson({ x: 1, y: { p: true, q: null } })).toBe(
      canonicalJson({ y: { q: null, p: true }, x: 1 }),
    );
  });

  it('drops undefined properties, as JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 2 })).toBe('{"b":2}');
  });

  it('refuses what JSON would silently change', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/\$\.n: NaN/);
    expect(() => canonicalJson({ d: new Date(0) })).toThrow(/\$\.d: only plain objects/);
    expect(() => canonicalJson({ a: [1, undefined] })).toThrow(/\$\.a\[1\]: undefined/);
    expect(() => canonicalJson({ b: 10n })).toThrow(/bigint/);
  });
});

describe('hashRecord', () => {
  it('is the hex SHA-256 of the canonical JSON without hash', () => {
    const { hash, ...body } = first;
    const expected = createHash('sha256')
      .update(
        '{"action":"nodes.approve","actor":"alice","at":"2025-01-01T10:00:00.000Z",' +
          '"detail":{"hostname":"k8s-w1","role":"worker"},"prev":"' +
          GENESIS_HASH +
          '","result":"ok","seq":1,"target":"pi-1"}',
      )
      .digest('hex');
    expect(hash).toBe(expected);
    expect(hashRecord(body)).toBe(expected);
    expect(hashRecord({ ...body, detail: { role: 'worker', hostname: 'k8s-w1' } })).toBe(expected);
  });

  it('changes with any field', () => {
    const { hash, ...body } = first;
    expect(hashRecord({ ...body, actor: 'mallory' })).not.toBe(hash);
    expect(hashRecord({ ...body, seq: 2 })).not.toBe(hash);
  });
});

describe('serializeRecord / parseRecordLine', () => {
  it('writes fields in reading order and parses back to the same record', () => {
    const line = serializeRecord(first);
    expect(line).toMatch(/^\{"seq":1,"at":"[^"]+","actor":"alice","action":"nodes.approve","target":"pi-1",/);
    expect(line).not.toMatch(/\s/);
    expect(parseRecordLine(line)).toEqual({ ok: true, record: first });
    expect(recordProblem(first, Buffer.from(line))).toBeUndefined();
  });

  it('names what is wrong with a line that is not a record', () => {
    expect(parseRecordLine('')).toEqual({ ok: false, problem: 'empty line' });
    expect(parseRecordLine('{"seq":1,')).toEqual({ ok: false, problem: 'not valid JSON' });
    expect(parseRecordLine('[]')).toEqual({ ok: false, problem: 'not a JSON object' });
    const line = serializeRecord(first);
    expect(parseRecordLine(line.replace('"seq":1', '"seq":"1"'))).toEqual({
      ok: false,
      problem: 'field seq is missing or not a positive integer',
    });
    expect(parseRecordLine(line.replace('"result":"ok"', '"result":"maybe"'))).toMatchObject({ ok: false });
    expect(parseRecordLine(line.replace('{', '{"extra":1,'))).toEqual({
      ok: false,
      problem: 'unexpected field "extra"',
    });
  });

  it('catches an edit that parses to the same value', () => {
    const spaced = serializeRecord(first).replace('"actor":', '"actor": ');
    const parsed = parseRecordLine(spaced);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(recordProblem(parsed.record, Buffer.from(spaced))).toBe(
        'bytes differ from the canonical form (line edited)',
      );
    }
  });

  it('catches an edited field as a hash mismatch', () => {
    expect(recordProblem({ ...first, actor: 'mallory' }, Buffer.from(''))).toBe(
      'hash mismatch (content edited)',
    );
  });
});

describe('linkProblem', () => {
  const second = sealed({ ...first, seq: 2, prev: first.hash });

  it('accepts a proper chain', () => {
    expect(linkProblem(first, undefined, 1)).toBeUndefined();
    expect(linkProblem(second, first, 2)).toBeUndefined();
  });

  it('names gaps, reordering and broken links', () => {
    expect(linkProblem(second, undefined, 1)).toBe(
      'seq 2 at the first line, expected 1 (lines removed or reordered)',
    );
    const third = sealed({ ...first, seq: 3, prev: second.hash });
    expect(linkProblem(third, first, 2)).toBe('seq 3 follows 1 (line removed or reordered)');
    expect(linkProblem(sealed({ ...second, prev: GENESIS_HASH }), first, 2)).toBe(
      "prev does not match line 1's hash",
    );
    expect(linkProblem(sealed({ ...first, prev: second.hash }), undefined, 1)).toBe(
      'prev of the first line is not 64 zeros (lines removed)',
    );
  });
});
