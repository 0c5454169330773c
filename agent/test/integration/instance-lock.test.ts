import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { procProcessTable } from '../../src/host/process-table.js';
import { startAgent } from '../../src/index.js';
import { AgentRunningError, acquireInstanceLock, LOCK_FILE } from '../../src/journal/instance-lock.js';
import { useAgentHarness } from '../support/agent-harness.js';

const BOOT = 'b0000000-0000-4000-8000-000000000001';

/** A temp dir laid out like /proc: a boot id and one `<pid>/stat` per process given. */
async function fakeProc(procs: { pid: number; start: string; state?: string }[], bootId = BOOT) {
  const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-proc-'));
  await mkdir(path.join(dir, 'sys/kernel/random'), { recursive: true });
  await writeFile(path.join(dir, 'sys/kernel/random/boot_id'), `${bootId}\n`);
  for (const p of procs) {
    await mkdir(path.join(dir, String(p.pid)));
    // Fields 1-22 of a real stat line; comm with a space and a ')' as a real one may have.
    const stat = `${p.pid} (node) x) ${p.state ?? 'S'} 1 ${p.pid} ${p.pid} 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 ${p.start} 0 0\n`;
    await writeFile(path.join(dir, String(p.pid), 'stat'), stat);
  }
  return procProcessTable(dir);
}

async function stateDirWith(lock?: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
  if (lock !== undefined) await writeFile(path.join(dir, LOCK_FILE), lock);
  return dir;
}

const holder = (pid: number, startTime: string, bootId = BOOT) =>
  `${JSON.stringify({ pid, startTime, bootId })}\n`;
const lockOf = async (dir: string) => JSON.parse(await readFile(path.join(dir, LOCK_FILE), 'utf8'));
const me = { pid: process.pid, start: '5000' };

describe('the agent instance lock (a temp dir laid out like /proc)', () => {
  it('refuses while the holder runs: same pid, same start time, same boot', async () => {
    const procs = await fakeProc([me, { pid: 4242, start: '100' }]);
    const dir = await stateDirWith(holder(4242, '100'));
    const err = await acquireInstanceLock(dir, procs).catch((e) => e);
    expect(err).toBeInstanceOf(AgentRunningError);
    expect(err.message).toBe(
      `another osbuild-agent (pid 4242) is running on state dir ${dir}; stop it first (${path.join(dir, LOCK_FILE)})`,
    );
    expect(await lockOf(dir)).toEqual({ pid: 4242, startTime: '100', bootId: BOOT });
  });

  it.each([
    ['the holder is gone', [me], holder(4242, '100')],
    [
      'its pid now belongs to another process (another start time)',
      [me, { pid: 4242, start: '999' }],
      holder(4242, '100'),
    ],
    ['the holder is a zombie', [me, { pid: 4242, start: '100', state: 'Z' }], holder(4242, '100')],
    ['it was taken in another boot', [me, { pid: 4242, start: '100' }], holder(4242, '100', 'other-boot')],
    // A deterministic boot can start the agent with the same pid at the same tick every time.
    ['it names this very process, but from another boot', [me], holder(me.pid, me.start, 'other-boot')],
    ['the file is not a lock', [me], 'not json\n'],
  ])('takes over a stale lock: %s', async (_what, procs, lock) => {
    const dir = await stateDirWith(lock);
    const held = await acquireInstanceLock(dir, await fakeProc(procs));
    expect(await lockOf(dir)).toEqual({ pid: process.pid, startTime: me.start, bootId: BOOT });
    await held.release();
    await expect(readFile(path.join(dir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('release leaves a lock that is not its own alone', async () => {
    const procs = await fakeProc([me]);
    const dir = await stateDirWith();
    const held = await acquireInstanceLock(dir, procs);
    await writeFile(path.join(dir, LOCK_FILE), holder(4242, '100'));
    await held.release();
    expect(await lockOf(dir)).toMatchObject({ pid: 4242 });
  });
});

describe('the agent instance lock (real /proc)', () => {
  const h = useAgentHarness();

  it('refuses a second agent on the same state dir in the same process, until the first stops', async () => {
    const first = await h.startAgent('pi5-a');
    const again = () =>
      startAgent({
        controllerUrl: h.url,
        hostRoot: first.hostRoot,
        stateDir: first.stateDir,
        logger: pino({ level: 'silent' }),
      });
    const err = await again().catch((e) => e);
    expect(err).toBeInstanceOf(AgentRunningError);
    expect(err.message).toContain(
      `(pid ${process.pid}, this process) is running on state dir ${first.stateDir}`,
    );
    await first.agent.stop();
    await expect(readFile(path.join(first.stateDir, LOCK_FILE))).rejects.toThrow(/ENOENT/);
    const second = await again();
    expect(second.nodeId).toBe(first.agent.nodeId);
    await second.stop();
  });
});
