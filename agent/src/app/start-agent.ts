import path from 'node:path';
import type { Identity } from '@osbuild/shared';
import pino from 'pino';
import { exec as realExec } from '../host/exec.js';
import { fixtureHostSystem, type HostSystem, liveHostSystem } from '../host/host-system.js';
import { type HostPaths, hostPaths, isLiveRoot } from '../host/paths.js';
import { type ProcessTable, procProcessTable } from '../host/process-table.js';
import { systemModel } from '../host/system-info.js';
import { readIdentity } from '../identity/read-identity.js';
import { updateBootState } from '../journal/boot-state.js';
import { acquireInstanceLock, type InstanceLock } from '../journal/instance-lock.js';
import { type EndedGroup, Journal } from '../journal/journal.js';
import { resolveInterrupted } from '../journal/resolve.js';
import { RunningSteps } from '../journal/running-steps.js';
import { type AgentCounters, AgentSession } from '../session/agent-session.js';
import { Backoff } from '../session/backoff.js';
import { commandStep } from '../session/command-step.js';
import type { StepRunner } from '../session/ports.js';
import { sleep } from '../session/sleep.js';
import { executors } from '../steps/executors.js';
import { endLeftoverSteps } from '../steps/leftover-steps.js';
import { runStepCommand } from '../steps/step-runner.js';
import { trackedExec } from '../steps/tracked-exec.js';
import { TelemetryCollector } from '../telemetry/collector.js';
import { realStatFs } from '../telemetry/disks.js';
import { cronScheduler } from '../telemetry/schedule.js';
import { connectMqtt } from '../transport/mqtt-transport.js';
import { checkTlsOptions, withTlsTrust } from '../transport/tls-trust.js';
import { AGENT_VERSION } from '../version.js';
import {
  type AgentHandle,
  DEFAULT_KEEPALIVE_SEC,
  DEFAULT_RECONNECT,
  LEFTOVER_STEP_GRACE_MS,
  type StartAgentOptions,
  telemetryIntervalSec,
} from './agent-options.js';

export { AGENT_RUNNING } from '../journal/instance-lock.js';
export type { AgentHandle, StartAgentOptions } from './agent-options.js';

/**
 * Start an agent: take the state dir's lock, read the identity, settle what a previous run left
 * unfinished, and connect in the background (resolves without waiting for the broker, which may
 * be down).
 */
export async function startAgent(opts: StartAgentOptions): Promise<AgentHandle> {
  const paths = hostPaths(opts.hostRoot);
  const stateDir = opts.stateDir ? path.resolve(opts.stateDir) : paths.defaultStateDir;
  await checkTlsOptions(opts.controllerUrl, opts.tls, opts.insecure ?? false);
  const procs = procProcessTable();
  // Before anything reads or writes the state dir: one agent per state dir, in any process.
  const lock = await acquireInstanceLock(stateDir, procs);
  try {
    return await startLocked(opts, paths, stateDir, procs, lock);
  } catch (err) {
    await lock.release();
    throw err;
  }
}

async function startLocked(
  opts: StartAgentOptions,
  paths: HostPaths,
  stateDir: string,
  procs: ProcessTable,
  lock: InstanceLock,
): Promise<AgentHandle> {
  const logger = opts.logger ?? pino({ level: 'info' }, pino.destination(2));
  const exec = opts.exec ?? realExec;
  const runningSteps = new RunningSteps(stateDir);
  const machineBootId = await procs.bootId();
  const connect = opts.tls ? withTlsTrust(connectMqtt, { tls: opts.tls, stateDir, logger }) : connectMqtt;
  const now = () => new Date();
  const journal = new Journal(path.join(stateDir, 'journal'));
  const counters: AgentCounters = { rejectedMessages: 0, commandsRun: 0, reconnects: 0, connects: 0 };
  const backoff = new Backoff({ ...(opts.reconnect ?? DEFAULT_RECONNECT), random: opts.random });
  const identityDeps = { agentVersion: AGENT_VERSION, systemModel };
  const intervalSec = telemetryIntervalSec(opts);
  // One collector for the agent's life: its CPU baseline survives an emulated reboot's new session.
  const collector = new TelemetryCollector({ paths, exec, statfs: realStatFs, now });
  const telemetry = {
    intervalSec,
    collect: (seq: number, identity: Identity) => collector.collect(seq, identity),
    schedule: cronScheduler(logger),
  };

  let session: AgentSession | null = null;
  let stopped = false;
  let restarting: Promise<void> = Promise.resolve();

  const host: HostSystem = isLiveRoot(paths)
    ? liveHostSystem(exec)
    : fixtureHostSystem(paths, () => requestRestart(), now, exec);

  const openSession = async (): Promise<AgentSession> => {
    const identity = await readIdentity(paths, identityDeps);
    const boot = await updateBootState(stateDir, identity.bootId);
    // First end what a killed agent left running, then settle its journal entries: the session
    // that follows may receive the same step again at once.
    const leftovers = await endLeftoverSteps(runningSteps, procs, {
      graceMs: LEFTOVER_STEP_GRACE_MS,
      logger,
    });
    const ended = leftovers.flatMap(({ record, ended }): EndedGroup[] =>
      ended === 'not-running' ? [] : [{ cmdId: record.cmdId, pgid: record.pgid, signal: ended }],
    );
    const resolved = await resolveInterrupted(journal, identity.bootId, now, ended);
    for (const e of resolved) {
      logger.info(
        { cmdId: e.id, outcome: e.result?.outcome },
        'settled a command left running by the previous run',
      );
    }
    await journal.prune();
    const runner: StepRunner = (cmd, startedAt, signal, onOutput) => {
      const body = commandStep(cmd);
      const tracked = trackedExec(exec, {
        records: runningSteps,
        procs,
        bootId: machineBootId,
        now,
        cmd: { id: cmd.id, runId: body.runId, index: body.index, kind: body.step.kind },
      });
      return runStepCommand(
        cmd.id,
        body,
        startedAt,
        { paths, stateDir, nodeId: identity.nodeId, host, exec: tracked, now },
        opts.executors ?? executors,
        signal,
        onOutput,
      );
    };
    const s = new AgentSession({
      controllerUrl: opts.controllerUrl,
      keepaliveSec: opts.keepaliveSec ?? DEFAULT_KEEPALIVE_SEC,
      connect,
      backoff,
      journal,
      stateDir,
      identity,
      bootSeq: boot.bootSeq,
      rereadIdentity: () => readIdentity(paths, identityDeps),
      claimSecret: opts.claimSecret,
      reclaimMs: opts.reclaimMs,
      runner,
      counters,
      logger,
      now,
      telemetry,
    });
    s.start();
    return s;
  };

  // Fixture roots only: an emulated reboot ends the session as abruptly as a power cut (the will
  // fires), then starts over in-process with the new boot id.
  const requestRestart = () => {
    restarting = restarting.then(async () => {
      if (stopped || !session) return;
      logger.info('emulated reboot: restarting the agent session');
      const old = session;
      session = null;
      await old.kill();
      // The node is down for as long as a reboot takes; the will has fired meanwhile.
      if (opts.rebootDelayMs) await sleep(opts.rebootDelayMs, new AbortController().signal);
      while (!stopped) {
        try {
          session = await openSession();
          return;
        } catch (err) {
          logger.error({ err }, 'restarting the session failed; retrying');
          await sleep(1000, new AbortController().signal);
        }
      }
    });
  };

  session = await openSession();
  const first = session;
  return {
    nodeId: first.identity.nodeId,
    get identity() {
      return (session ?? first).identity;
    },
    stats: () => ({
      rejectedMessages: counters.rejectedMessages,
      commandsRun: counters.commandsRun,
      reconnects: counters.reconnects,
    }),
    async stop() {
      if (stopped) return;
      stopped = true;
      await restarting;
      await session?.stop();
      session = null;
      await lock.release();
    },
  };
}
