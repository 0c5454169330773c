import type { Logger } from 'pino';
import type { Clock } from '../host/clock.js';
import { capField } from '../logging/cap-fields.js';

/** One inbound message the controller did not take. */
export interface Rejection {
  /** Topic kind (`cmd-result`, `rpc-request`, ...) or `unknown-topic`, `claim-rate`, `handler-error`. */
  kind: string;
  topic: string;
  /** Who published it (`node:<id>`, `claim:<id>`, `operator:<name>`; server/publisher.ts). */
  principal: string;
  /** Each problem as `path: message`, already bounded by the shared parser. */
  issues: readonly string[];
  /** The exception of a handler that failed on the message (logged at error level). */
  err?: unknown;
}

/**
 * How much of a flood reaches the log: per principal and kind, the first `perWindow` rejections of
 * each `windowMs` are logged, the rest only counted and summed up in one line when the window ends.
 * `maxKeys` bounds the windows kept at once; beyond it all further senders share one window.
 */
export interface RejectionLogLimits {
  perWindow: number;
  windowMs: number;
  maxKeys: number;
}

/** The defaults: 10 lines a minute per sender and kind, at most 1,000 senders tracked. */
export const REJECTION_LOG_LIMITS: RejectionLogLimits = { perWindow: 10, windowMs: 60_000, maxKeys: 1_000 };

/** The log message of a rejected message (tests and log searches look for it). */
export const REJECTED_MESSAGE = 'rejected inbound message';
/** The log message of a handler that threw on a valid message (counted as `handler-error`). */
export const HANDLER_FAILED = 'handler failed on inbound message';
/** The log message that sums up the rejections a window did not log. */
export const REJECTIONS_SUPPRESSED = 'rejected inbound messages not logged (rate limit)';

const OVERFLOW = { principal: '(other senders)', kind: '(any)' } as const;
const OVERFLOW_KEY = `${OVERFLOW.principal}\u0000${OVERFLOW.kind}`;

interface Window {
  principal: string;
  kind: string;
  startMs: number;
  logged: number;
  suppressed: number;
}

/**
 * Counts every rejected inbound message by kind (for `osbuild status` and the metrics) and logs
 * it with its topic, sender and problems — rate-limited, so a client publishing garbage in a loop
 * cannot fill the disk with the controller's log.
 */
export class RejectedMessages {
  private readonly counts = new Map<string, number>();
  private readonly suppressed = new Map<string, number>();
  private readonly windows = new Map<string, Window>();
  private readonly limits: RejectionLogLimits;

  constructor(private readonly deps: { logger: Logger; clock: Clock; limits?: Partial<RejectionLogLimits> }) {
    this.limits = { ...REJECTION_LOG_LIMITS, ...deps.limits };
  }

  /** Count one rejection, and log it unless its sender's window has logged enough already. */
  record(r: Rejection): void {
    this.counts.set(r.kind, (this.counts.get(r.kind) ?? 0) + 1);
    const w = this.windowFor(r.principal, r.kind, this.deps.clock.now().getTime());
    if (w.logged >= this.limits.perWindow) {
      w.suppressed++;
      this.suppressed.set(r.kind, (this.suppressed.get(r.kind) ?? 0) + 1);
      return;
    }
    w.logged++;
    // The topic and the sender's client id are the sender's to choose: capped like every logged field.
    const fields = {
      kind: r.kind,
      topic: capField(r.topic),
      principal: capField(r.principal),
      issues: r.issues,
    };
    if (r.err === undefined) this.deps.logger.warn(fields, REJECTED_MESSAGE);
    else this.deps.logger.error({ ...fields, err: r.err }, HANDLER_FAILED);
  }

  /** Rejections since start, by kind. */
  byKind(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  /** Rejections counted but not logged since start, by kind. */
  suppressedByKind(): Record<string, number> {
    return Object.fromEntries(this.suppressed);
  }

  /** Close the windows that have ended, with a summary line for each that held some back. */
  flush(): void {
    const now = this.deps.clock.now().getTime();
    for (const [key, w] of this.windows) {
      if (now - w.startMs < this.limits.windowMs) continue;
      this.close(key, w);
    }
  }

  private windowFor(principal: string, kind: string, now: number): Window {
    const own = `${principal}\u0000${kind}`;
    // Past maxKeys, new senders share one window (which may take one slot beyond the bound).
    const key = this.windows.has(own) || this.windows.size < this.limits.maxKeys ? own : OVERFLOW_KEY;
    let w = this.windows.get(key);
    if (w && now - w.startMs >= this.limits.windowMs) {
      this.close(key, w);
      w = undefined;
    }
    if (!w) {
      const who = key === own ? { principal, kind } : OVERFLOW;
      w = { ...who, startMs: now, logged: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    return w;
  }

  private close(key: string, w: Window): void {
    this.windows.delete(key);
    if (w.suppressed === 0) return;
    this.deps.logger.warn(
      {
        kind: w.kind,
        principal: w.principal,
        suppressed: w.suppressed,
        logged: w.logged,
        since: new Date(w.startMs).toISOString(),
      },
      REJECTIONS_SUPPRESSED,
    );
  }
}
