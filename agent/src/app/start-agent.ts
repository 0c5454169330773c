import path from 'node:path';
import type { Identity } from '@osbuild/shared';
import pino from 'pino';
import { exec as realExec } from '../host/exec.js';
import { fixtureHostSystem, type HostSystem, liveHostSystem } from '../host/host-system.js';
import { hostPaths, isLiveRoot } from '../host/paths.js';
import { systemModel } from '../host/system-info.js';
import { readIdentity } from '../identity/read-identity.js';
import { updateBootState } from '../journal/boot-state.js';
import { Journal } from '../journal/journal.js';
import { resolveInterrupted } from '../journal/resolve.js';
import { type AgentCounters, AgentSession } from '../session/agent-session.js';
import { Backoff } from '../session/backoff.js';
import { commandStep } from '../session/command-step.js';
import type { StepRunner } from '../session/ports.js';
import { sleep } from '../session/sleep.js';
import { executors } from '../steps/executors.js';
import { runStepCommand } from '../steps/step-runner.js';
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
  type StartAgentOptions,
  telemetryIntervalSec,
} from './agent-options.js';

export type { AgentHandle, StartAgentOptions } from './agent-options.js';

/**
 * Start an agent: read the identity, settle what a previous run left unfinished, and connect in
 * the background (resolves without waiting for the broker, which may be down).
 */
export async function startAgent(opts: StartAgentOptions): Promise<AgentHandle> {
  const logger = opts.logger ?? pino({ level: 'info' }, pino.destination(2));
  const exec = opts.exec ?? realExec;
  const paths = hostPaths(opts.hostRoot);
  const stateDir = opts.stateDir ? path.resolve(opts.stateDir) : paths.defaultStateDir;
  await checkTlsOptions(opts.controllerUrl, opts.tls, opts.insecure ?? false);
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
    const resolved = await resolveInterrupted(journal, identity.bootId, now);
    for (const e of resolved) {
      logger.info(
        { cmdId: e.id, outcome: e.result?.outcome },
        'settled a command left running by the previous run',
      );
    }
    await journal.prune();
    const runner: StepRunner = (cmd, startedAt, signal, onOutput) =>
      runStepCommand(
        cmd.id,
        commandStep(cmd),
        startedAt,
        { paths, stateDir, nodeId: identity.nodeId, host, exec, now },
        opts.executors ?? executors,
        signal,
        onOutput,
      );
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
    },
  };
}
