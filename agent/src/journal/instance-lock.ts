import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '@osbuild/shared';
import { isNotFound } from '../host/fs-util.js';
import type { ProcessTable } from '../host/process-table.js';

/** `<stateDir>/agent.pid`: which agent process owns the state dir. */
export const LOCK_FILE = 'agent.pid';

/** The error code of {@link AgentRunningError}. */
export const AGENT_RUNNING = 'agent-running';

/** Another agent is alive on the same state dir. */
export class AgentRunningError extends UserError {
  constructor(
    readonly stateDir: string,
    readonly holder: LockHolder,
  ) {
    super(
      AGENT_RUNNING,
      `another osbuild-agent (pid ${holder.pid}${holder.pid === process.pid ? ', this process' : ''}) ` +
        `is running on state dir ${stateDir}; ` +
        `stop it first (${path.join(stateDir, LOCK_FILE)})`,
    );
  }
}

/** What the lock file says; pid and start time name one process within one boot. */
export interface LockHolder {
  pid: number;
  startTime: string;
  bootId: string;
}

/** A held lock. */
export interface InstanceLock {
  readonly file: string;
  /** Remove the lock file if it is still this process's. */
  release(): Promise<void>;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const v = JSON.parse(text) as Partial<LockHolder>;
    if (!Number.isInteger(v.pid) || typeof v.startTime !== 'string' || typeof v.bootId !== 'string')
      return null;
    return { pid: v.pid as number, startTime: v.startTime, bootId: v.bootId };
  } catch {
    return null;
  }
}

/**
 * Whether the lock's holder is still running. A pid alone is not enough: after the holder died,
 * its pid may belong to any other process (or, after a reboot, to this very agent, started at
 * the same point of a deterministic boot), so the boot id and the start time must match too.
 */
async function holderAlive(holder: LockHolder, procs: ProcessTable): Promise<boolean> {
  if (holder.bootId !== (await procs.bootId())) return false;
  const p = await procs.info(holder.pid);
  return p !== null && p.state !== 'Z' && p.startTime === holder.startTime;
}

/**
 * Make this process the only agent on `stateDir`: a second agent, in another process or this one,
 * gets an {@link AgentRunningError}. A lock left by a dead agent (SIGKILL, power cut) is taken
 * over. The lock file appears complete or not at all (written aside, then hard-linked into place,
 * which fails if it exists), so a reader never sees it half-written.
 */
export async function acquireInstanceLock(stateDir: string, procs: ProcessTable): Promise<InstanceLock> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const file = path.join(stateDir, LOCK_FILE);
  const self = await procs.info(process.pid);
  if (!self)
    throw new Error(`cannot read this process's own entry in the process table (pid ${process.pid})`);
  const mine: LockHolder = { pid: process.pid, startTime: self.startTime, bootId: await procs.bootId() };
  const text = `${JSON.stringify(mine)}\n`;
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(tmp, file);
        return { file, release: () => releaseIfMine(file, text) };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const found = await readFile(file, 'utf8').catch((err) =>
        isNotFound(err) ? null : Promise.reject(err),
      );
      if (found === null) continue; // released meanwhile
      const holder = parseHolder(found);
      if (holder && (await holderAlive(holder, procs))) throw new AgentRunningError(stateDir, holder);
      await takeOver(file, found);
    }
    throw new Error(`could not take the agent lock ${file}: other agents keep starting on this state dir`);
  } finally {
    await unlink(tmp).catch(() => {});
  }
}

/**
 * Remove a stale lock, but only the one that was judged stale: it is first moved aside, and if
 * what was moved is not that content (another agent took it over meanwhile), it goes back.
 */
async function takeOver(file: string, stale: string): Promise<void> {
  const aside = `${file}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (err) {
    if (isNotFound(err)) return;
    throw err;
  }
  const moved = await readFile(aside, 'utf8');
  if (moved === stale) await unlink(aside);
  else await rename(aside, file);
}

async function releaseIfMine(file: string, mine: string): Promise<void> {
  const found = await readFile(file, 'utf8').catch(() => null);
  if (found === mine) await unlink(file).catch(() => {});
}
