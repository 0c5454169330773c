import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { StepKind } from '@osbuild/shared';
import { isNotFound, readTextOrNull } from '../host/fs-util.js';

/** `<stateDir>/running-steps/`: one file per process group a step has running right now. */
export const RUNNING_STEPS_DIR = 'running-steps';

/** A process a step started, recorded for as long as it runs. */
export interface RunningStepRecord {
  /** The child the step spawned; it leads its own process group, so `pgid === pid`. */
  pid: number;
  pgid: number;
  /** The leader's start time (`/proc/<pid>/stat` field 22) and the boot it belongs to. */
  startTime: string;
  bootId: string;
  cmdId: string;
  runId: string;
  index: number;
  kind: StepKind;
  /** The program run, for the log; never its arguments, which may hold step secrets. */
  program: string;
  spawnedAt: string;
}

function isRecord(v: Partial<RunningStepRecord> | null): v is RunningStepRecord {
  return (
    v !== null &&
    // A step's child leads its own group (pid = pgid), and never pid 0 or 1: a damaged file must
    // not name a group whose signal would reach the whole machine.
    Number.isInteger(v.pgid) &&
    (v.pgid as number) > 1 &&
    v.pid === v.pgid &&
    typeof v.startTime === 'string' &&
    typeof v.bootId === 'string' &&
    typeof v.cmdId === 'string'
  );
}

/**
 * The running-step records of one state dir. Written synchronously right after the spawn, before
 * the agent returns to its event loop: the only moment a SIGKILL can leave a step's processes
 * unrecorded is the few microseconds between fork and this write. No fsync: a killed process's
 * writes survive in the page cache, and a power cut ends the step's processes too.
 */
export class RunningSteps {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = path.join(stateDir, RUNNING_STEPS_DIR);
  }

  #file(pgid: number): string {
    return path.join(this.dir, `${pgid}.json`);
  }

  recordSync(record: RunningStepRecord): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const file = this.#file(record.pgid);
    const tmp = `${file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    renameSync(tmp, file);
  }

  async remove(pgid: number): Promise<void> {
    await unlink(this.#file(pgid)).catch((err) => {
      if (!isNotFound(err)) throw err;
    });
  }

  /** Every record left; a damaged file is removed (it names nothing that could be ended). */
  async all(): Promise<RunningStepRecord[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => /^\d+\.json$/.test(n));
    } catch (err) {
      if (isNotFound(err)) return [];
      throw err;
    }
    const records: RunningStepRecord[] = [];
    for (const name of names) {
      const text = await readTextOrNull(path.join(this.dir, name));
      let parsed: Partial<RunningStepRecord> | null = null;
      try {
        parsed = text === null ? null : (JSON.parse(text) as Partial<RunningStepRecord>);
      } catch {
        parsed = null;
      }
      if (isRecord(parsed)) records.push(parsed);
      else await unlink(path.join(this.dir, name)).catch(() => {});
    }
    return records;
  }
}
