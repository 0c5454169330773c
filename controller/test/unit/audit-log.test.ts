import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AuditLogBrokenError,
  AuditSecretError,
  auditLogPath,
  GENESIS_HASH,
  hashRecord,
  openAuditLog,
  readAuditLog,
  verifyAuditLog,
} from '../../src/audit/audit-log.js';

/** A clock that advances one second per reading. */
function steppingClock(start = Date.parse('2025-01-01T10:00:00.000Z')) {
  let t = start;
  return {
    now: () => {
      const d = new Date(t);
      t += 1000;
      return d;
    },
  };
}

let dir: string;
let file: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'osbuild-audit-'));
  file = auditLogPath(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('openAuditLog', () => {
  it('creates <dataDir>/audit.log with mode 0600', async () => {
    const log = await openAuditLog(file, steppingClock());
    await log.close();
    expect(file).toBe(join(dir, 'audit.log'));
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await verifyAuditLog(file)).toEqual({ ok: true, entries: 0, lastHash: GENESIS_HASH });
  });

  it('chains lines: seq from 1, prev is the previous hash, hash covers the rest', async () => {
    const log = await openAuditLog(file, steppingClock());
    const a = await log.append({ actor: 'alice', action: 'nodes.approve', target: 'pi-1', result: 'ok' });
    const b = await log.append({
      actor: 'controller',
      action: 'credential.issue',
      target: 'pi-1',
      result: 'ok',
      detail: { credentialId: 'c-1' },
    });
    await log.close();

    expect(a).toMatchObject({ seq: 1, at: '2025-01-01T10:00:00.000Z', prev: GENESIS_HASH });
    expect(b).toMatchObject({ seq: 2, at: '2025-01-01T10:00:01.000Z', prev: a.hash });
    const { hash, ...rest } = b;
    expect(hash).toBe(hashRecord(rest));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);

    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
    expect(await readAuditLog(file)).toEqual([a, b]);
    expect(await verifyAuditLog(file)).toEqual({ ok: true, entries: 2, lastHash: b.hash });
  });

  it('returns exactly what a reader gets back (detail as JSON, undefined dropped)', async () => {
    const log = await openAuditLog(file, steppingClock());
    const detail: Record<string, unknown> = { z: 1, a: { y: [1, 2] }, gone: undefined };
    const r = await log.append({ actor: 'alice', action: 'x', result: 'refused', detail });
    detail.z = 2;
    await log.close();
    expect(r.detail).toEqual({ a: { y: [1, 2] }, z: 1 });
    expect(r).not.toHaveProperty('target');
    expect(await readAuditLog(file)).toEqual([r]);
  });

  it('continues seq and prev after a reopen', async () => {
    const clock = steppingClock();
    const first = await openAuditLog(file, clock);
    await first.append({ actor: 'a', action: 'one', result: 'ok' });
    const last = await first.append({ actor: 'a', action: 'two', result: 'ok' });
    await first.close();

    const again = await openAuditLog(file, clock);
    const next = await again.append({ actor: 'a', action: 'three', result: 'error' });
    await again.close();
    expect(next).toMatchObject({ seq: 3, prev: last.hash });
    expect(await verifyAuditLog(file)).toEqual({ ok: true, entries: 3, lastHash: next.hash });
  });

  it('finds the last line of a log larger than one read chunk', async () => {
    const log = await openAuditLog(file, steppingClock());
    // Detail strings are capped at 1 KiB, so it takes many lines to pass the 64 KiB read chunk.
    let last = await log.append({ actor: 'a', action: 'n0', result: 'ok' });
    for (let i = 1; i < 100; i++) {
      last = await log.append({
        actor: 'a',
        action: `n${i}`,
        result: 'ok',
        detail: { pad: 'x'.repeat(1000) },
      });
    }
    await log.close();
    expect((await stat(file)).size).toBeGreaterThan(64 * 1024);
    const again = await openAuditLog(file, steppingClock());
    expect(await again.append({ actor: 'a', action: 'after', result: 'ok' })).toMatchObject({
      seq: 101,
      prev: last.hash,
    });
    await again.close();
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 101 });
  });

  it('caps what a client controls: a 1 MB actor, target and detail string are cut and marked', async () => {
    const log = await openAuditLog(file, steppingClock());
    const huge = 'x'.repeat(1024 * 1024);
    const r = await log.append({
      actor: huge,
      action: 'login.refused',
      target: huge,
      result: 'refused',
      detail: { why: huge },
    });
    await log.close();
    expect(r.actor).toBe(`${'x'.repeat(256)}…[+${1024 * 1024 - 256} bytes]`);
    expect(r.target).toBe(r.actor);
    expect(r.detail?.why).toBe(`${'x'.repeat(1024)}…[+${1024 * 1024 - 1024} bytes]`);
    expect((await stat(file)).size).toBeLessThan(2 * 1024);
    expect(await verifyAuditLog(file)).toMatchObject({ ok: true, entries: 1 });
    expect(await readAuditLog(file)).toEqual([r]);
  });

  it('200 concurrent appends get seq 1..200 in call order with a valid chain', async () => {
    const log = await openAuditLog(file, steppingClock());
    const records = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        log.append({ actor: `op${i}`, action: 'nodes.ls', result: 'ok' }),
      ),
    );
    await log.close();
    expect(records.map((r) => r.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(records.map((r) => r.actor)).toEqual(Array.from({ length: 200 }, (_, i) => `op${i}`));
    expect(await verifyAuditLog(file)).toEqual({ ok: true, entries: 200, lastHash: records[199]?.hash });
    expect(await readAuditLog(file)).toEqual(records);
  });

  it('refuses to continue after a truncated last line, naming the line', async () => {
    const log = await openAuditLog(file, steppingClock());
    await log.append({ actor: 'a', action: 'one', result: 'ok' });
    await log.append({ actor: 'a', action: 'two', result: 'ok' });
    await log.close();
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, -20));

    const err = await openAuditLog(file, steppingClock()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuditLogBrokenError);
    expect(err).toMatchObject({ line: 2, problem: 'truncated (the last line has no newline)' });
    expect(await readFile(file, 'utf8')).toBe(text.slice(0, -20));
  });

  it('refuses to continue after an edited last line', async () => {
    const log = await openAuditLog(file, steppingClock());
    await log.append({ actor: 'alice', action: 'one', result: 'ok' });
    await log.close();
    await writeFile(file, (await readFile(file, 'utf8')).replace('alice', 'alicf'));
    await expect(openAuditLog(file, steppingClock())).rejects.toMatchObject({
      line: 1,
      problem: 'hash mismatch (content edited)',
    });
  });
});

describe('append', () => {
  it('refuses secrets in detail before writing anything, and the next entry keeps its seq', async () => {
    const log = await openAuditLog(file, steppingClock());
    await expect(
      log.append({ actor: 'a', action: 'credential.issue', result: 'ok', detail: { password: 'hunter2' } }),
    ).rejects.toBeInstanceOf(AuditSecretError);
    const ok = await log.append({
      actor: 'a',
      action: 'credential.issue',
      result: 'ok',
      detail: { credentialId: 'c1' },
    });
    await log.close();
    expect(ok.seq).toBe(1);
    expect(await readFile(file, 'utf8')).not.toContain('hunter2');
  });

  it('refuses malformed entries and detail JSON cannot carry', async () => {
    const log = await openAuditLog(file, steppingClock());
    await expect(log.append({ actor: '', action: 'x', result: 'ok' })).rejects.toThrow(/actor/);
    await expect(log.append({ actor: 'a', action: 'x', result: 'nope' as 'ok' })).rejects.toThrow(/result/);
    await expect(
      log.append({ actor: 'a', action: 'x', result: 'ok', detail: { n: Number.NaN } }),
    ).rejects.toThrow(/detail\.n/);
    await log.close();
    expect(await readAuditLog(file)).toEqual([]);
  });

  it('rejects appends after close; close waits for pending appends and is idempotent', async () => {
    const log = await openAuditLog(file, steppingClock());
    const pending = log.append({ actor: 'a', action: 'x', result: 'ok' });
    await Promise.all([log.close(), log.close()]);
    await expect(pending).resolves.toMatchObject({ seq: 1 });
    await expect(log.append({ actor: 'a', action: 'y', result: 'ok' })).rejects.toThrow(/closed/);
  });
});
