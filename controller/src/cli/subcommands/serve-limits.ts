// `serve` flags for the bounds on node input: per-node rates, retention and the per-node quota.
// Each flag left out keeps the controller's default (server/controller-options.ts).
import { type Command, InvalidArgumentError } from 'commander';
import type { ServeOptions } from '../context.js';

const RATE_KINDS = ['hello', 'status', 'telemetry', 'cmd-result', 'events', 'log-bytes'] as const;
type RateKind = (typeof RATE_KINDS)[number];

/** The flags as commander hands them over. */
export interface ServeLimitFlags {
  nodeRateLimit?: Partial<Record<RateKind, { burst: number; perSecond: number }>>;
  retainEventsDays?: number;
  retainLogsDays?: number;
  retainCommandsDays?: number;
  nodeLogQuotaKib?: number;
  nodeLogLines?: number;
  nodeEventQuotaKib?: number;
}

function positive(what: string, integer: boolean) {
  return (value: string): number => {
    const x = Number(value);
    if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x)))
      throw new InvalidArgumentError(
        `expected ${integer ? 'a whole number' : 'a number'} of ${what} above 0`,
      );
    return x;
  };
}

/** `events=500:100`: kind, burst, then per second; repeatable, one kind each. */
function rateLimit(
  value: string,
  acc: ServeLimitFlags['nodeRateLimit'] = {},
): ServeLimitFlags['nodeRateLimit'] {
  const m = /^([a-z-]+)=(\d+):(\d+(?:\.\d+)?)$/.exec(value);
  const kind = m?.[1] as RateKind | undefined;
  if (!m || !kind || !RATE_KINDS.includes(kind) || Number(m[2]) < 1 || Number(m[3]) <= 0)
    throw new InvalidArgumentError(
      `expected KIND=BURST:PER_SECOND with KIND one of ${RATE_KINDS.join(', ')} (e.g. events=500:100)`,
    );
  return { ...acc, [kind]: { burst: Number(m[2]), perSecond: Number(m[3]) } };
}

/** Add the flags to `serve`. */
export function addLimitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--node-rate-limit <kind=burst:rate>',
      `per-node rate of ${RATE_KINDS.join(', ')} (messages, or bytes for log-bytes), repeatable, e.g. events=500:100`,
      rateLimit,
    )
    .option('--retain-events-days <days>', 'keep events this many days (default 30)', positive('days', false))
    .option(
      '--retain-logs-days <days>',
      'keep node log lines this many days (default 30)',
      positive('days', false),
    )
    .option(
      '--retain-commands-days <days>',
      'keep finished operator commands this many days (default 30)',
      positive('days', false),
    )
    .option(
      '--node-log-quota-kib <KiB>',
      "a node's log lines are kept within this many KiB (default 1024)",
      positive('KiB', true),
    )
    .option('--node-log-lines <n>', 'log lines kept per node (default 5000)', positive('lines', true))
    .option(
      '--node-event-quota-kib <KiB>',
      "a node's events are kept within this many KiB (default 256)",
      positive('KiB', true),
    );
}

/** The controller options the flags given ask for. */
export function limitOptions(
  f: ServeLimitFlags,
): Pick<ServeOptions, 'nodeRateLimits' | 'retention' | 'nodeQuota'> {
  const retention = {
    ...(f.retainEventsDays !== undefined ? { eventsDays: f.retainEventsDays } : {}),
    ...(f.retainLogsDays !== undefined ? { logsDays: f.retainLogsDays } : {}),
    ...(f.retainCommandsDays !== undefined ? { commandsDays: f.retainCommandsDays } : {}),
  };
  const nodeQuota = {
    ...(f.nodeLogQuotaKib !== undefined ? { logBytes: f.nodeLogQuotaKib * 1024 } : {}),
    ...(f.nodeLogLines !== undefined ? { logLines: f.nodeLogLines } : {}),
    ...(f.nodeEventQuotaKib !== undefined ? { eventBytes: f.nodeEventQuotaKib * 1024 } : {}),
  };
  return {
    ...(f.nodeRateLimit ? { nodeRateLimits: f.nodeRateLimit } : {}),
    ...(Object.keys(retention).length > 0 ? { retention } : {}),
    ...(Object.keys(nodeQuota).length > 0 ? { nodeQuota } : {}),
  };
}
