// Tampering with a real audit log on disk, found by verifyAuditLog and by the real `osbuild` bin.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  auditLogPath,
  hashRecord,
  openAuditLog,
  verifyAuditLog,
} from '../../src/audit/audit-log.js';
import { serializeRecord } from '../../src/audit/audit-record.js';
import { runBin, runCli } from '../support/cli-harness.js';

let dir: string;
let file: string;
let records: AuditRecord[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'osbuild-audit-verify-'));
  file = auditLogPath(dir);
  let t = Date.parse('2025-03-01T09:00:00.000Z');
  const clock = {
    now: () => {
      t += 1000;
      return new Date(t);
    },
  };
  const log = await openAuditLog(file, clock);
  records = [
    await log.append({
      actor: 'alice',
      action: 'nodes.approve',
      target: 'pi-a',
      result: 'ok',
      detail: { hostname: 'w1' },
    }),
    await log.append({
      actor: 'controller',
      action: 'credential.issue',
      target: 'pi-a',
      result: 'ok',
      detail: { credentialId: 'c-1' },
    }),
    await log.append({
      actor: 'node:pi-b',
      action: 'login',
      result: 'refused',
      detail: { reason: 'bad password' },
    }),
    await log.append({ actor: 'controller', action: 'identity.conflict', target: 'pi-a', result: 'refused' }),
    await log.append({
      actor: 'bob',
      action: 'nodes.retry',
      target: 'w1',
      result: 'error',
      detail: { fromStart: true },
    }),
  ];
  await log.close();
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = async () => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
const writeLines = (ls: string[]) => writeFile(file, `${ls.join('\n')}\n`);

/** Byte offsets where 1-based line `n` starts and ends (excluding its newline). */
async function lineSpan(n: number): Promise<[number, number]> {
  const bytes = await readFile(file);
  let start = 0;
  for (let i = 1; i < n; i++) start = bytes.indexOf(0x0a, start) + 1;
  return [start, bytes.indexOf(0x0a, start)];
}

async function flipByte(offset: number): Promise<Buffer> {
  const original = await readFile(file);
  const edited = Buffer.from(original);
  edited[offset] = (edited[offset] ?? 0) ^ 0x01;
  await writeFile(file, edited);
  return original;
}

describe('verifyAuditLog on a tampered file', () => {
  it('(e) an intact log verifies', async () => {
    expect(await verifyAuditLog(file)).toEqual({ ok: true, entries: 5, lastHash: records[4]?.hash });
  });

  it('(a) one changed byte in a field is a hash mismatch on that line', async () => {
    const [start] = await lineSpan(3);
    const text = await readFile(file, 'utf8');
    await flipByte(text.indexOf('node:pi-b', start));
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 3,
      problem: 'hash mismatch (content edited)',
    });
  });

  it('(a) every single-byte change anywhere in line 3, its newline included, is reported at line 3', async () => {
    const [start, end] = await lineSpan(3);
    for (let offset = start; offset <= end; offset++) {
      const original = await flipByte(offset);
      const verdict = await verifyAuditLog(file);
      expect(verdict, `byte ${offset - start} of line 3`).toMatchObject({ ok: false, line: 3 });
      await writeFile(file, original);
    }
  });

  it('(b) a deleted line breaks the seq at its place', async () => {
    const ls = await lines();
    ls.splice(2, 1);
    await writeLines(ls);
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 3,
      problem: 'seq 4 follows 2 (line removed or reordered)',
    });
  });

  it('(b) deleting the first line is seen at line 1', async () => {
    await writeLines((await lines()).slice(1));
    expect(await verifyAuditLog(file)).toMatchObject({ ok: false, line: 1 });
  });

  it('(c) two swapped lines are reported where the order breaks', async () => {
    const ls = await lines();
    [ls[1], ls[2]] = [ls[2] as string, ls[1] as string];
    await writeLines(ls);
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 2,
      problem: 'seq 3 follows 1 (line removed or reordered)',
    });
  });

  it('(d) a truncated last line is reported', async () => {
    const text = await readFile(file, 'utf8');
    await writeFile(file, text.slice(0, -12));
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 5,
      problem: 'truncated (the last line has no newline)',
    });
  });

  it('an inserted copy of a line is reported', async () => {
    const ls = await lines();
    ls.splice(2, 0, ls[1] as string);
    await writeLines(ls);
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 3,
      problem: 'seq 2 follows 2 (line removed or reordered)',
    });
  });

  it('a rewritten line with a recomputed hash breaks the link to the next one', async () => {
    const ls = await lines();
    const { hash: _old, ...body } = records[2] as AuditRecord;
    const forged = { ...body, actor: 'someone-else' };
    ls[2] = serializeRecord({ ...forged, hash: hashRecord(forged) });
    await writeLines(ls);
    expect(await verifyAuditLog(file)).toEqual({
      ok: false,
      line: 4,
      problem: "prev does not match line 3's hash",
    });
  });

  it('a line that is not JSON is named', async () => {
    const ls = await lines();
    ls[3] = 'garbage';
    await writeLines(ls);
    expect(await verifyAuditLog(file)).toEqual({ ok: false, line: 4, problem: 'not valid JSON' });
  });
});

describe('osbuild audit (the real bin, controller not running)', () => {
  it('verify exits 0 when intact and 7 naming the line after a one-byte change', async () => {
    const intact = await runBin(['audit', 'verify', '--data-dir', dir]);
    expect(intact.stderr).toBe('');
    expect(intact.code).toBe(0);
    expect(intact.stdout).toContain(`intact, 5 entries, last hash ${records[4]?.hash}`);

    const [start] = await lineSpan(2);
    const text = await readFile(file, 'utf8');
    await flipByte(text.indexOf('credential.issue', start));
    const broken = await runBin(['audit', 'verify', '--data-dir', dir]);
    expect(broken.code).toBe(7);
    expect(broken.stdout).toBe('');
    expect(broken.stderr).toBe('osbuild: audit log broken at line 2: hash mismatch (content edited)\n');
  });

  it('ls -o json prints the entries', async () => {
    const r = await runBin(['audit', 'ls', '-o', 'json'], { env: { OSBUILD_DATA_DIR: dir } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(records);
  });
});

describe('osbuild audit (in-process)', () => {
  it('ls prints a table, --limit keeps the last entries', async () => {
    const r = await runCli(['audit', 'ls', '--data-dir', dir, '--limit', '2']);
    expect(r.code).toBe(0);
    const rows = r.stdout.trimEnd().split('\n');
    expect(rows[0]).toMatch(/^SEQ\s+AT\s+ACTOR\s+ACTION\s+TARGET\s+RESULT$/);
    expect(rows).toHaveLength(3);
    expect(rows[1]).toMatch(
      /^4\s+2025-03-01T09:00:04.000Z\s+controller\s+identity.conflict\s+pi-a\s+refused$/,
    );
    expect(rows[2]).toMatch(/^5\s+\S+\s+bob\s+nodes.retry\s+w1\s+error$/);
  });

  it('verify -o json prints the verdict, also when broken', async () => {
    const ok = await runCli(['audit', 'verify', '--data-dir', dir, '-o', 'json']);
    expect(JSON.parse(ok.stdout)).toEqual({ file, ok: true, entries: 5, lastHash: records[4]?.hash });

    const ls = await lines();
    ls.splice(3, 1);
    await writeLines(ls);
    const broken = await runCli(['audit', 'verify', '--data-dir', dir, '-o', 'json']);
    expect(broken.code).toBe(7);
    expect(JSON.parse(broken.stdout)).toEqual({
      file,
      ok: false,
      line: 4,
      problem: 'seq 5 follows 3 (line removed or reordered)',
    });
    expect(broken.stderr).toBe(
      'osbuild: audit log broken at line 4: seq 5 follows 3 (line removed or reordered)\n',
    );
  });

  it('ls on an unreadable line exits 7; a missing log exits 3', async () => {
    await writeFile(file, `${(await readFile(file, 'utf8')).slice(0, -5)}`);
    const broken = await runCli(['audit', 'ls', '--data-dir', dir]);
    expect(broken.code).toBe(7);
    expect(broken.stderr).toContain('audit log broken at line 5: truncated');

    const missing = await runCli(['audit', 'verify', '--data-dir', join(dir, 'nope')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no audit log at');
  });

  it('--limit must be a positive integer', async () => {
    expect((await runCli(['audit', 'ls', '--data-dir', dir, '--limit', '0'])).code).toBe(2);
  });
});
