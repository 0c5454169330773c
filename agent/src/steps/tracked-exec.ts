import type { StepKind } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import type { ProcessTable } from '../host/process-table.js';
import type { RunningSteps } from '../journal/running-steps.js';

/** Where a step's processes are recorded, and which command they belong to. */
export interface StepTracking {
  records: RunningSteps;
  procs: ProcessTable;
  /** The machine's boot id (the real one, from the process table, not the host root's). */
  bootId: string;
  now(): Date;
  cmd: { id: string; runId: string; index: number; kind: StepKind };
}

/**
 * An {@link Exec} that records every process group it starts in the state dir while it runs, so
 * an agent started after this one was killed can find and end what the step left running
 * (leftover-steps.ts) before the step can run again.
 */
export function trackedExec(exec: Exec, t: StepTracking): Exec {
  return async (file, args, opts = {}) => {
    let pgid: number | null = null;
    try {
      return await exec(file, args, {
        ...opts,
        onSpawn: (pid) => {
          // A child that has already exited and been reaped has no start time: nothing to record.
          const info = t.procs.infoSync(pid);
          if (info) {
            t.records.recordSync({
              pid,
              pgid: pid,
              startTime: info.startTime,
              bootId: t.bootId,
              cmdId: t.cmd.id,
              runId: t.cmd.runId,
              index: t.cmd.index,
              kind: t.cmd.kind,
              program: file,
              spawnedAt: t.now().toISOString(),
            });
            pgid = pid;
          }
          opts.onSpawn?.(pid);
        },
      });
    } finally {
      if (pgid !== null) await t.records.remove(pgid);
    }
  };
}
