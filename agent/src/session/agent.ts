import path from 'node:path';
import { type Identity, UserError } from '@osbuild/shared';
import pino, { type Logger } from 'pino';
import { type Exec, exec as realExec } from '../host/exec.js';
import { fixtureHostSystem, type HostSystem, liveHostSystem } from '../host/host-system.js';
import { hostPaths, isLiveRoot } from '../host/paths.js';
import { systemModel } from '../host/system-info.js';
import { readIdentity } from '../identity/read-identity.js';
import { updateBootState } from '../journal/boot-state.js';
import { Journal } from '../journal/journal.js';
import { resolveInterrupted } from '../journal/resolve.js';
import { executors } from '../steps/executors.js';
import { runStepCommand } from '../steps/step-runner.js';
import type { ExecutorTable } from '../steps/types.js';
import { TelemetryCollector } from '../telemetry/collector.js';
import { realStatFs } from '../telemetry/disks.js';
import { cronScheduler } from '../telemetry/schedule.js';
import { AGENT_VERSION } from '../version.js';
import { type AgentCounters, AgentSession } from './agent-session.js';
import { Backoff } from './backoff.js';
import { commandStep } from './command-step.js';
import { connectMqtt } from './mqtt-transport.js';
import type { StepRunner } from './ports.js';
import { sleep } from './sleep.js';
import { checkTlsOptions, withTlsTrust } from './tls-trust.js';

/** Options of {@link startAgent}. */
export interface StartAgentOptions {
  /** e.g. `mqtt://127.0.0.1:1883`. */
  controllerUrl: string;
  /** `/` on a real node; any other directory is a fixture root (host actions are emulated). */
  hostRoot: string;
  /** Default: `/var/lib/osbuild` below the host root. */
  stateDir?: string;
  logger?: Logger;
  random?: () => number;
  reconnect?: { baseMs: number; capMs: number };
  /** MQTT keepalive; default 10 s, so the broker declares a silent node gone within 15 s. */
  keepaliveSec?: number;
  /**
   * The image's claim secret: lets a board without its own credential enrol (claim -> welcome).
   * Passed as a value, read from a file by the CLI: secrets never travel in argv.
   */
  claimSecret?: string;
  /** How often a board waiting for acceptance repeats its claim (default 30 s). */
  reclaimMs?: number;
  /** Allow plain `mqtt://` to a controller that is not on loopback (development only). */
  insecure?: boolean;
  /**
   * How to trust an `mqtts://` controller (tls-trust.ts): its CA file, or the CA's SHA-256 pin.
   * Either one also forbids plain `mqtt://` to anything but loopback.
   */
  tls?: { caFile?: string; caFingerprint?: string };
  /** Seconds between telemetry samples (default 15; 1 to 3600). */
  telemetryIntervalSec?: number;
  /**
   * The executor seam: the table that runs each step kind. Default: the real executors. The fleet
   * simulator swaps in simulated ones; the session, journal and command loop stay the real ones.
   */
  executors?: ExecutorTable;
  /** Fixture roots only: how long an emulated reboot keeps the node away before it comes back. */
  rebootDelayMs?: number;
  /** How steps start processes (default: the real one); tests put stand-in tools on its PATH. */
  exec?: Exec;
}

/** A running agent. */
export interface AgentHandle {
  readonly nodeId: string;
  readonly identity: Identity;
  stats(): { rejectedMessages: number; commandsRun: number; reconnects: number };
  /** Clean stop: offline status, DISCONNECT. */
  stop(): Promise<void>;
}

const DEFAULT_RECONNECT = { baseMs: 1000, capMs: 60_000 };
/** Default seconds between telemetry samples. */
export const DEFAULT_TELEMETRY_INTERVAL_SEC = 15;

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
  const telemetryIntervalSec = opts.telemetryIntervalSec ?? DEFAULT_TELEMETRY_INTERVAL_SEC;
  if (!Number.isInteger(telemetryIntervalSec) || telemetryIntervalSec < 1 || telemetryIntervalSec > 3600) {
    throw new UserError(
      'config',
      `telemetry interval must be 1 to 3600 seconds, not ${telemetryIntervalSec}`,
    );
  }
  // One collector for the agent's life: its CPU baseline survives an emulated reboot's new session.
  const collector = new TelemetryCollector({ paths, exec, statfs: realStatFs, now });
  const telemetry = {
    intervalSec: telemetryIntervalSec,
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
      // The broker declares a silent node gone after 1.5 x keepalive [MQTT-3.1.2-24]: 15 s.
      keepaliveSec: opts.keepaliveSec ?? 10,
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

  // Fixture seam only: an emulated reboot ends the session as abruptly as a power cut (the will
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
