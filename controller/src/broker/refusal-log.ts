// How the broker writes what it refuses: every client-controlled field capped, and repeated
// refusals from one source written once per window, then summarised (logging/refusal-summary.ts).
import type { Logger } from 'pino';
import { capField, capFields, capOptional, ID_MAX_BYTES, TEXT_MAX_BYTES } from '../logging/cap-fields.js';
import { type RefusalCount, RefusalSummary } from '../logging/refusal-summary.js';

/** What the broker refuses, each summarised on its own. */
export type RefusalKind = 'login' | 'connection-rate' | 'publish' | 'subscribe' | 'hello-rate' | 'reply-to';

const WHAT: Record<RefusalKind, string> = {
  login: 'refused logins',
  'connection-rate': 'rate-limited connections',
  publish: 'refused publishes',
  subscribe: 'refused subscriptions',
  'hello-rate': 'rate-limited hellos',
  'reply-to': 'rpc requests with a foreign replyTo',
};

/** A refused login, as the audit log gets it: every field capped. */
export interface RefusedLogin {
  clientId: string;
  username: string | undefined;
  address: string | undefined;
  why: string;
}

/** Window and memory of the summaries. */
export interface RefusalLogOptions {
  /** Refusals from one source after the first are counted for this long, then summarised. */
  windowMs: number;
  /** Sources tracked at once; further ones are counted together. */
  maxSources: number;
  now: () => number;
}

/** Writes the broker's refusals to the log (and refused logins to the audit hook). */
export class RefusalLog {
  readonly #summary: RefusalSummary<RefusalKind>;

  constructor(
    private readonly deps: {
      logger: Logger;
      options: RefusalLogOptions;
      onRefusedLogin?: (e: RefusedLogin) => void;
      onSummary?: (s: RefusalCount<RefusalKind>) => void;
    },
  ) {
    this.#summary = new RefusalSummary(deps.options);
  }

  /** A refused login from `address` (or, with no address, for `username`). */
  login(e: RefusedLogin): void {
    const capped: RefusedLogin = {
      clientId: capField(e.clientId),
      username: capOptional(e.username),
      address: capOptional(e.address),
      why: capField(e.why, TEXT_MAX_BYTES),
    };
    if (!this.#admit('login', e.address ?? `user:${e.username ?? 'anonymous'}`)) return;
    // Logged without the password, and counted; the audit log gets the same facts.
    this.deps.logger.warn(capped, 'mqtt login refused');
    this.deps.onRefusedLogin?.(capped);
  }

  /** Any other refusal: `fields` (identifiers) are logged capped, once per source and window. */
  refused(kind: Exclude<RefusalKind, 'login'>, source: string, fields: Record<string, unknown>, msg: string) {
    if (this.#admit(kind, source)) this.deps.logger.warn(capFields(fields, { maxString: ID_MAX_BYTES }), msg);
  }

  /** Write the summaries of windows that ended (a periodic job); with `all`, of every window. */
  flush(all = false): void {
    for (const s of all ? this.#summary.drain() : this.#summary.ended()) this.#write(s);
  }

  #admit(kind: RefusalKind, source: string): boolean {
    const verdict = this.#summary.admit(kind, capField(source));
    if (verdict.write && verdict.summary) this.#write(verdict.summary);
    return verdict.write;
  }

  #write(s: RefusalCount<RefusalKind>): void {
    this.deps.logger.warn(
      { refusal: s.kind, source: s.source, further: s.count, seconds: s.seconds },
      `${s.count} further ${WHAT[s.kind]} from ${s.source} in the last ${s.seconds} s`,
    );
    this.deps.onSummary?.(s);
  }
}
