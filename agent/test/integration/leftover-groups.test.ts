import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { procProcessTable } from '../../src/host/process-table.js';
import { type RunningStepRecord, RunningSteps } from '../../src/journal/running-steps.js';
import { endLeftoverSteps } from '../../src/steps/leftover-steps.js';
import { trackedExec } from '../../src/steps/tracked-exec.js';

const procs = procProcessTable();
const logger = pino({ level: 'silent' });
const CMD = { id: 'run-r1-0-1', runId: 'r1', index: 0, kind: 'run-script' as const };

async function live(pgid: number): Promise<number[]> {
  return (await procs.live()).filter((p) => p.pgid === pgid).map((p) => p.pid);
}

async function until<T>(what: string, check: () => Promise<T | null | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await check();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('process groups a previous agent left running (real processes)', () => {
  const groups: number[] = [];
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      // kill(-1) would signal every process on the machine.
      if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`not a process group: ${pgid}`);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
    children.splice(0);
  });

  /** A detached child leading its own group, not started through the agent's exec. */
  function detached(script: string): ChildProcess {
    const child = spawn('bash', ['-c', script], { detached: true, stdio: 'ignore' });
    groups.push(child.pid as number);
    children.push(child);
    return child;
  }

  async function setup() {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    const records = new RunningSteps(stateDir);
    const bootId = await procs.bootId();
    const record = async (
      pgid: number,
      over: Partial<RunningStepRecord> = {},
    ): Promise<RunningStepRecord> => {
      const info = await procs.info(pgid);
      const r: RunningStepRecord = {
        pid: pgid,
        pgid,
        startTime: info?.startTime ?? '1',
        bootId,
        cmdId: CMD.id,
        runId: CMD.runId,
        index: CMD.index,
        kind: CMD.kind,
        program: 'bash',
        spawnedAt: new Date().toISOString(),
        ...over,
      };
      records.recordSync(r);
      return r;
    };
    return { stateDir, records, bootId, record };
  }

  it('records a step process while it runs, and SIGKILLs a group that ignores SIGTERM', async () => {
    const { stateDir, records, bootId } = await setup();
    const now = () => new Date('2026-12-01T10:00:00.000Z');
    const run = trackedExec(exec, { records, procs, bootId, now, cmd: CMD });
    const done = run('bash', ['-c', 'trap "" TERM; echo ready; sleep 60'], {});
    const name = await until('the record', async () => (await readdir(records.dir).catch(() => [])).at(0));
    const pid = Number(name.replace('.json', ''));
    groups.push(pid);
    expect(JSON.parse(await readFile(path.join(records.dir, name), 'utf8'))).toEqual({
      pid,
      pgid: pid,
      startTime: (await procs.info(pid))?.startTime,
      bootId,
      cmdId: CMD.id,
      runId: 'r1',
      index: 0,
      kind: 'run-script',
      program: 'bash',
      spawnedAt: '2026-12-01T10:00:00.000Z',
    });

    const t0 = Date.now();
    const ended = await endLeftoverSteps(records, procs, { graceMs: 300, logger });
    expect(ended.map((e) => [e.record.pgid, e.ended])).toEqual([[pid, 'SIGKILL']]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(300);
    expect(await live(pid)).toEqual([]);
    expect((await done).signal).toBe('SIGKILL');
    expect(await readdir(records.dir)).toEqual([]);
    expect(stateDir).toBeTruthy();
  });

  it('removes the record of a step that ended normally', async () => {
    const { records, bootId } = await setup();
    const run = trackedExec(exec, { records, procs, bootId, now: () => new Date(), cmd: CMD });
    expect((await run('bash', ['-c', 'exit 3'])).exitCode).toBe(3);
    expect(await readdir(records.dir)).toEqual([]);
  });

  it('ends the rest of a group whose leader has exited (a script that backgrounded a child)', async () => {
    const { records, record } = await setup();
    const leader = detached('sleep 60 & exit 0');
    const pgid = leader.pid as number;
    await until('the leader to exit', async () => (leader.exitCode !== null ? true : null));
    expect((await live(pgid)).length).toBe(1);
    await record(pgid, { startTime: '1' });
    const ended = await endLeftoverSteps(records, procs, { graceMs: 5_000, logger });
    expect(ended.map((e) => e.ended)).toEqual(['SIGTERM']);
    expect(await live(pgid)).toEqual([]);
  });

  it.each([
    ['its pid now leads an unrelated group (another start time)', { startTime: '1' }],
    ['it was recorded in another boot', { bootId: 'another-boot' }],
  ])('leaves a live group alone when %s', async (_what, over) => {
    const { records, record } = await setup();
    const other = detached('sleep 60');
    const pgid = other.pid as number;
    await until('the child', () => procs.info(pgid));
    await record(pgid, over);
    const ended = await endLeftoverSteps(records, procs, { graceMs: 300, logger });
    expect(ended.map((e) => e.ended)).toEqual(['not-running']);
    expect(await live(pgid)).toEqual([pgid]);
    expect(await readdir(records.dir)).toEqual([]);
  });

  it('discards a damaged record instead of signalling what it names (pgid 1 is every process)', async () => {
    const { records } = await setup();
    await mkdir(records.dir, { recursive: true });
    const bootId = await procs.bootId();
    await writeFile(
      path.join(records.dir, '1.json'),
      JSON.stringify({ pid: 1, pgid: 1, startTime: '1', bootId, cmdId: CMD.id }),
    );
    await writeFile(path.join(records.dir, '77.json'), 'not json');
    expect(await endLeftoverSteps(records, procs, { graceMs: 300, logger })).toEqual([]);
    expect(await readdir(records.dir)).toEqual([]);
    expect(() => procs.signalGroup(1, 'SIGTERM')).toThrow(/refusing to signal process group 1/);
  });
});
