import { setTimeout as delay } from 'node:timers/promises';
import { InternalError } from '@osbuild/shared';
import type { Logger } from 'pino';
import type { ProcessInfo, ProcessTable } from '../host/process-table.js';
import type { RunningStepRecord, RunningSteps } from '../journal/running-steps.js';

/** What became of one process group a previous agent left recorded. */
export interface LeftoverStep {
  record: RunningStepRecord;
  /** `not-running`: it had ended already (or the node rebooted); else the signal that ended it. */
  ended: 'not-running' | 'SIGTERM' | 'SIGKILL';
}

/** How patient to be with a leftover group. */
export interface LeftoverOptions {
  /** Between SIGTERM and SIGKILL. */
  graceMs: number;
  /** How long a group may take to vanish after SIGKILL before the agent refuses to go on. */
  killWaitMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
  logger: Logger;
}

/**
 * The live processes of a recorded group. A group id cannot be handed out again while any member
 * holds it, but once the whole group is gone its number may lead a new, unrelated group: so a
 * live leader must have the recorded start time. Zombies do not count: they are dead, and in a
 * container whose pid 1 never reaps them they would otherwise look alive forever (which is also
 * why this reads the process table instead of probing with `kill(-pgid, 0)`).
 */
async function members(
  record: RunningStepRecord,
  procs: ProcessTable,
  bootId: string,
): Promise<ProcessInfo[]> {
  if (record.bootId !== bootId) return [];
  const live = await procs.live();
  const leader = live.find((p) => p.pid === record.pgid);
  if (leader && leader.startTime !== record.startTime) return [];
  return live.filter((p) => p.pgid === record.pgid);
}

/**
 * End every process group a previous agent on this state dir left running, before this agent
 * takes any command, so a step never runs twice at once.
 *
 * End, not adopt: the old agent's pipes to the group are gone (its output is lost, and its next
 * write may take SIGPIPE anyway), and a process that is not our child cannot be waited for, so
 * its exit code can never be known. An adopted step could only ever be reported as a guess; ended,
 * it is reported `interrupted`, and the controller retries it with a new command id, which steps
 * are written to make safe. This is also what systemd does under the unit's default
 * KillMode=control-group: when the agent's main process dies, the whole cgroup is killed before
 * the restart. Outside systemd (fixture mode, a container, a shell) this does the same, so the
 * behaviour does not depend on the supervisor. Processes that leave the group (setsid, double
 * fork) are out of reach here; only a cgroup catches those.
 */
export async function endLeftoverSteps(
  records: RunningSteps,
  procs: ProcessTable,
  opts: LeftoverOptions,
): Promise<LeftoverStep[]> {
  const sleep = opts.sleep ?? delay;
  const pollMs = opts.pollMs ?? 100;
  const bootId = await procs.bootId();
  const gone = async (record: RunningStepRecord, withinMs: number): Promise<boolean> => {
    for (let waited = 0; ; waited += pollMs) {
      if ((await members(record, procs, bootId)).length === 0) return true;
      if (waited >= withinMs) return false;
      await sleep(pollMs);
    }
  };
  const out: LeftoverStep[] = [];
  for (const record of await records.all()) {
    const about = { cmdId: record.cmdId, pgid: record.pgid, program: record.program };
    let ended: LeftoverStep['ended'] = 'not-running';
    if (!(await gone(record, 0))) {
      opts.logger.warn(about, 'a step the previous agent started is still running: ending it');
      procs.signalGroup(record.pgid, 'SIGTERM');
      ended = 'SIGTERM';
      if (!(await gone(record, opts.graceMs))) {
        procs.signalGroup(record.pgid, 'SIGKILL');
        ended = 'SIGKILL';
        if (!(await gone(record, opts.killWaitMs ?? 5000))) {
          // Starting anyway could run the step twice at once; the supervisor retries the start.
          throw new InternalError(
            'leftover-step',
            `process group ${record.pgid} of command ${record.cmdId} survived SIGKILL; not starting`,
          );
        }
      }
      opts.logger.warn({ ...about, signal: ended }, 'ended a step left running by the previous agent');
    }
    await records.remove(record.pgid);
    out.push({ record, ended });
  }
  return out;
}
