// The fleet simulator's core: N real agents (startAgent, the agent's own code paths) in this
// process, each on a synthetic Pi 5 host root under a temp work dir. Host actions are emulated by
// the agent itself because the roots are not `/`.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AgentHandle, startAgent } from '@osbuild/agent';
import type { Logger } from 'pino';
import { pino } from 'pino';
import { SIM_REBOOT_SECONDS, simulatedExecutors } from './sim-executors.js';
import { boardIdentity, MAX_SIM_NODES, writeSyntheticHost } from './synthetic-host.js';

/** Options of {@link startFleet}. */
export interface FleetOptions {
  controllerUrl: string;
  nodes: number;
  /** Picks the boards' identities (see synthetic-host.ts); default 0. */
  seed?: number;
  /** The image's claim secret each board enrols with. */
  claimSecret: string;
  /** CA file to trust an `mqtts://` controller with. */
  caFile?: string;
  /** Parent of the temp work dir (default the OS temp dir); only the temp dir is removed. */
  workDir?: string;
  logger?: Logger;
  /** Seconds between telemetry samples per agent (agent default 15). */
  telemetryIntervalSec?: number;
  /** How often a board waiting for acceptance claims again (agent default 30 s). */
  reclaimMs?: number;
  /** Agents started at once (default 50), so a big fleet does not open every file at the same time. */
  startBatch?: number;
  /** Index of the first board (default 0): fleets split over several processes take disjoint ranges. */
  from?: number;
  /**
   * Start the agents one by one, evenly over this many milliseconds (a rack powered on over a few
   * seconds), after every host root is laid out; default: in batches, as fast as possible.
   */
  spreadMs?: number;
  /**
   * Simulate steps (sim-executors.ts) instead of running the real executors: realistic durations
   * divided by `speed`, failures at `failRate`, reboots that keep the board away for a while.
   */
  simulate?: { failRate: number; speed: number };
}

/** A running simulated fleet. */
export interface Fleet {
  /** The temp directory holding every host root (removed by stop). */
  readonly workDir: string;
  /** Inventory hostnames of the simulated boards, in board order. */
  readonly hostnames: readonly string[];
  readonly agents: readonly AgentHandle[];
  /** When each agent was started (epoch ms), in board order. */
  readonly startedAt: readonly number[];
  /** Stop every agent (clean offline), then remove the work dir. Idempotent. */
  stop(): Promise<void>;
}

/** Lay out the host roots and start one agent per board; resolves once all agents are started. */
export async function startFleet(opts: FleetOptions): Promise<Fleet> {
  const seed = opts.seed ?? 0;
  const from = opts.from ?? 0;
  if (!Number.isInteger(opts.nodes) || opts.nodes < 1 || opts.nodes > MAX_SIM_NODES)
    throw new RangeError(`node count must be 1 to ${MAX_SIM_NODES}, not ${opts.nodes}`);
  if (!Number.isInteger(from) || from < 0 || from + opts.nodes > MAX_SIM_NODES)
    throw new RangeError(`boards ${from} to ${from + opts.nodes - 1} are outside 0 to ${MAX_SIM_NODES - 1}`);
  const logger = opts.logger ?? pino({ level: 'silent' });
  const parent = opts.workDir ?? tmpdir();
  await mkdir(parent, { recursive: true });
  const workDir = await mkdtemp(join(parent, `osbuild-sim-${seed}-`));
  const agents: AgentHandle[] = [];
  const startedAt: number[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.allSettled(agents.filter(Boolean).map((a) => a.stop()));
      await rm(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const hostnames = Array.from({ length: opts.nodes }, (_, k) => boardIdentity(from + k, seed).hostname);
  const rootOf = (k: number) => join(workDir, 'hosts', hostnames[k] as string);
  const start = async (k: number) => {
    startedAt[k] = Date.now();
    agents[k] = await startAgent({
      controllerUrl: opts.controllerUrl,
      hostRoot: rootOf(k),
      claimSecret: opts.claimSecret,
      logger: logger.child({ sim: hostnames[k] }),
      ...(opts.caFile ? { tls: { caFile: opts.caFile } } : {}),
      ...(opts.telemetryIntervalSec ? { telemetryIntervalSec: opts.telemetryIntervalSec } : {}),
      ...(opts.reclaimMs ? { reclaimMs: opts.reclaimMs } : {}),
      ...(opts.simulate
        ? {
            executors: simulatedExecutors({ seed, index: from + k, ...opts.simulate }),
            rebootDelayMs: Math.round((SIM_REBOOT_SECONDS * 1000) / opts.simulate.speed),
          }
        : {}),
    });
  };
  const batch = Math.max(1, opts.startBatch ?? 50);
  const spread = opts.spreadMs;
  try {
    for (let k0 = 0; k0 < opts.nodes; k0 += batch) {
      const ks = Array.from({ length: Math.min(batch, opts.nodes - k0) }, (_, j) => k0 + j);
      await Promise.all(
        ks.map(async (k) => {
          await writeSyntheticHost(rootOf(k), from + k, seed);
          if (spread === undefined) await start(k);
        }),
      );
    }
    if (spread !== undefined) {
      const t0 = Date.now();
      await Promise.all(
        hostnames.map(async (_, k) => {
          await new Promise((r) => setTimeout(r, t0 + (k * spread) / opts.nodes - Date.now()));
          await start(k);
        }),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { workDir, hostnames, agents, startedAt, stop };
}

/** How far a simulated fleet has come, from the controller's node list. */
export interface FleetProgress {
  total: number;
  known: number;
  online: number;
  provisioned: number;
  failed: number;
}

/** Count the simulated boards among `nodes` (matched by hostname). */
export function fleetProgress(
  hostnames: readonly string[],
  nodes: readonly { name: string; online: boolean; phase: string }[],
): FleetProgress {
  const mine = new Set(hostnames);
  const ours = nodes.filter((n) => mine.has(n.name));
  return {
    total: hostnames.length,
    known: ours.length,
    online: ours.filter((n) => n.online).length,
    provisioned: ours.filter((n) => n.phase === 'provisioned').length,
    failed: ours.filter((n) => n.phase === 'failed').length,
  };
}

/** One progress line, e.g. `sim: 200 nodes, 198 online, 150 provisioned, 0 failed (12 s)`. */
export function formatProgress(p: FleetProgress, elapsedMs: number): string {
  return `sim: ${p.total} nodes, ${p.online} online, ${p.provisioned} provisioned, ${p.failed} failed (${Math.round(elapsedMs / 1000)} s)\n`;
}
