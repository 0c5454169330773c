import type { Logger } from 'pino';
import type { HealthThresholds } from '../health/conditions.js';
import { DEFAULT_HEALTH } from '../health/conditions.js';
import type { Clock } from '../host/clock.js';
import { systemClock } from '../host/clock.js';
import type { Exec } from '../host/exec.js';
import { exec as realExec } from '../host/exec.js';
import type { KubeApi } from '../kubernetes/kube-api.js';
import type { Disruption, NetbootReset, PowerHooks } from '../operator-commands/ports.js';
import type { RetryPolicy } from '../provisioning/step-outcome.js';
import { DEFAULT_NODE_QUOTA, type NodeQuota } from '../store/node-quota.js';
import { REJECTION_LOG_LIMITS, type RejectionLogLimits } from './rejected-messages.js';

export type { NodeQuota } from '../store/node-quota.js';

/** A token bucket: `burst` at once, then `perSecond`. */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

/** The rate limits a controller applies (server/admission.ts). */
export type RateLimits = Record<
  'connectionsPerAddress' | 'hellosPerAddress' | 'hellosPerClaim' | 'claimsPerNode',
  RateLimit
>;

/**
 * What one node may publish (server/node-rate-limits.ts): messages per topic kind, and `log-bytes`,
 * the bytes of command output and agent log text on its events topic. Past the rate a message is
 * dropped, counted per node and kind, and logged once per node per window.
 */
export type NodeRateLimits = Record<
  'hello' | 'status' | 'telemetry' | 'cmd-result' | 'events' | 'log-bytes',
  RateLimit
>;

/**
 * How long what nodes leave in the store is kept (store/retention-store.ts): events, node log lines
 * and finished operator commands older than this many days are deleted by the `store-retention` job.
 */
export interface RetentionPolicy {
  eventsDays: number;
  logsDays: number;
  commandsDays: number;
  /** Period of the `store-retention` job. */
  everyMs: number;
  /** Rows deleted per statement; the job yields to the event loop between batches. */
  batchRows: number;
}

/** How to run a controller. */
export interface ControllerOptions {
  inventoryPath: string;
  dataDir: string;
  /**
   * `mqtts://HOST:PORT` (TLS with the controller's own CA) or `mqtt://HOST:PORT` (plain: loopback
   * only, unless `insecureListen`); port 0 picks a free one.
   */
  listen: string;
  /** Allow plain MQTT on a non-loopback address (logged as a warning). */
  insecureListen?: boolean;
  /** Extra names and IPs for the server certificate (those nodes use to reach the controller). */
  tlsSans?: string[];
  /** `http://HOST:PORT` for the bootstrap repository; port 0 picks a free one. */
  httpListen: string;
  /** URL nodes use to reach the HTTP listener, when it differs from `httpListen` (NAT, 0.0.0.0). */
  publicHttpUrl?: string;
  bootstrapDir: string;
  logger: Logger;
  clock?: Clock;
  exec?: Exec;
  retry?: RetryPolicy;
  /** Health rule thresholds (health/conditions.ts); any not given keep their defaults. */
  health?: Partial<HealthThresholds>;
  /** Rate limits (burst, then per second); the defaults suit racks of hundreds of nodes. */
  rateLimits?: Partial<Omit<RateLimits, 'claimsPerNode'>>;
  /** Per-node rates of node messages; any not given keep their defaults. */
  nodeRateLimits?: Partial<NodeRateLimits>;
  /** Drops over a node's rate are logged once per node per this window, with the count (60 s). */
  nodeDropLogWindowMs?: number;
  /** Retention of events, node logs and finished commands; any not given keep their defaults. */
  retention?: Partial<RetentionPolicy>;
  /** Per-node storage quota; any not given keep their defaults. */
  nodeQuota?: Partial<NodeQuota>;
  deadlineGraceMs?: number;
  /**
   * Refusals (logins, ACL denials, rate limits) from one source after the first are counted for
   * this long, then written as one summary (default 60 s).
   */
  refusalWindowMs?: number;
  /** Period of the provisioning and command sweeps (the condition sweep runs every 5 s). */
  tickMs?: number;
  /** Cordon and drain before a reboot or reprovision of a joined node (default: nothing to drain). */
  disruption?: Disruption;
  /** How long a drain before reboot/reprovision may wait for PodDisruptionBudgets (default 5 min). */
  drainDeadlineMs?: number;
  /** Reset a netboot node's root for a reprovision (default: absent, such reprovisions are refused). */
  netbootReset?: NetbootReset;
  /**
   * netboot.yaml of a netboot server on this host: reprovisioning a netboot node resets its root
   * (controller/src/netboot/) and offline nodes are power-cycled through its `powerHooks`;
   * `netbootReset` and `powerHooks` given here win over it.
   */
  netbootConfigPath?: string;
  /**
   * Power-cycle an offline node for a reboot or netboot reprovision (default: netboot.yaml's
   * `powerHooks` when `netbootConfigPath` is given, else none).
   */
  powerHooks?: PowerHooks;
  /** Seconds a command for an offline node waits before it expires (default 3600). */
  commandTtlSec?: number;
  /** How many rejected messages are logged per sender and kind (server/rejected-messages.ts). */
  rejectionLog?: Partial<RejectionLogLimits>;
  /** Kubeconfig text of an existing cluster to adopt at start (`serve --kubeconfig FILE`). */
  adoptKubeconfig?: string;
  /** The file `adoptKubeconfig` was read from: refused at start when it lies in a served tree. */
  adoptKubeconfigFile?: string;
  /** Builds the Kubernetes API client from a kubeconfig (tests: the same adapter, other options). */
  kubeConnect?: (kubeconfig: string) => KubeApi | Promise<KubeApi>;
  /** Retry delay of the Kubernetes module (token preparation, watch restarts). */
  kubeRetryMs?: number;
}

/** Every default of a controller, in one place. */
export const CONTROLLER_DEFAULTS = {
  insecureListen: false,
  tlsSans: [] as string[],
  retry: { baseMs: 5_000, capMs: 60_000 } satisfies RetryPolicy,
  deadlineGraceMs: 30_000,
  refusalWindowMs: 60_000,
  tickMs: 1_000,
  /** Staleness and offline nodes change conditions without a message: look at everyone this often. */
  conditionSweepMs: 5_000,
  rateLimits: {
    connectionsPerAddress: { burst: 30, perSecond: 10 },
    hellosPerAddress: { burst: 20, perSecond: 2 },
    // A whole rack booting together shares one claim secret.
    hellosPerClaim: { burst: 500, perSecond: 50 },
    claimsPerNode: { burst: 3, perSecond: 0.5 },
  } satisfies RateLimits,
  // Well above what an agent sends (agent/src): telemetry every 15 s (1 s at the fastest setting),
  // output coalesced into events of at most 8 KiB every 200 ms, a hello and two statuses per
  // connection, three reports (ack, progress, result) per command and the journal's unreported
  // results re-sent in one go after a reconnect.
  nodeRateLimits: {
    hello: { burst: 20, perSecond: 0.5 },
    status: { burst: 40, perSecond: 1 },
    telemetry: { burst: 10, perSecond: 1 },
    'cmd-result': { burst: 200, perSecond: 20 },
    events: { burst: 500, perSecond: 100 },
    'log-bytes': { burst: 1024 * 1024, perSecond: 64 * 1024 },
  } satisfies NodeRateLimits,
  nodeDropLogWindowMs: 60_000,
  retention: {
    eventsDays: 30,
    logsDays: 30,
    commandsDays: 30,
    everyMs: 60_000,
    batchRows: 1_000,
  } satisfies RetentionPolicy,
  // Per node: 1 MiB and 5,000 lines of logs, 256 KiB of events; 5,000 nodes x 1.25 MiB = 6.1 GiB
  // accounted at worst (docs/operations.md, "Store size").
  nodeQuota: DEFAULT_NODE_QUOTA satisfies NodeQuota,
} as const;

/** Options with every default filled in; the composition root reads only these. */
export type ResolvedOptions = Omit<
  ControllerOptions,
  | 'clock'
  | 'exec'
  | 'retry'
  | 'health'
  | 'rateLimits'
  | 'nodeRateLimits'
  | 'nodeDropLogWindowMs'
  | 'retention'
  | 'nodeQuota'
  | 'deadlineGraceMs'
  | 'refusalWindowMs'
  | 'tickMs'
  | 'insecureListen'
  | 'tlsSans'
> & {
  clock: Clock;
  exec: Exec;
  retry: RetryPolicy;
  health: HealthThresholds;
  rateLimits: RateLimits;
  nodeRateLimits: NodeRateLimits;
  nodeDropLogWindowMs: number;
  retention: RetentionPolicy;
  nodeQuota: NodeQuota;
  deadlineGraceMs: number;
  refusalWindowMs: number;
  tickMs: number;
  conditionSweepMs: number;
  rejectionLogFlushMs: number;
  insecureListen: boolean;
  tlsSans: string[];
};

/** Fill in the defaults. */
export function resolveOptions(opts: ControllerOptions): ResolvedOptions {
  const defaults = CONTROLLER_DEFAULTS;
  return {
    ...opts,
    clock: opts.clock ?? systemClock,
    exec: opts.exec ?? realExec,
    retry: opts.retry ?? defaults.retry,
    health: { ...DEFAULT_HEALTH, ...opts.health },
    rateLimits: { ...defaults.rateLimits, ...opts.rateLimits },
    nodeRateLimits: { ...defaults.nodeRateLimits, ...opts.nodeRateLimits },
    nodeDropLogWindowMs: opts.nodeDropLogWindowMs ?? defaults.nodeDropLogWindowMs,
    retention: { ...defaults.retention, ...opts.retention },
    nodeQuota: { ...defaults.nodeQuota, ...opts.nodeQuota },
    deadlineGraceMs: opts.deadlineGraceMs ?? defaults.deadlineGraceMs,
    refusalWindowMs: opts.refusalWindowMs ?? defaults.refusalWindowMs,
    tickMs: opts.tickMs ?? defaults.tickMs,
    conditionSweepMs: Math.max(opts.tickMs ?? defaults.tickMs, defaults.conditionSweepMs),
    // A flood's summary line comes at most a tenth of a window after the window ends.
    rejectionLogFlushMs: Math.max(
      opts.tickMs ?? defaults.tickMs,
      (opts.rejectionLog?.windowMs ?? REJECTION_LOG_LIMITS.windowMs) / 10,
    ),
    insecureListen: opts.insecureListen ?? defaults.insecureListen,
    tlsSans: opts.tlsSans ?? defaults.tlsSans,
  };
}
