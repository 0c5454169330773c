// Refusals from one source are written once per window and then counted: a password-guessing
// loop, or a client retrying a topic it may not use, costs one full line and one summary per
// minute instead of a line per attempt. Pure: time comes from the injected `now`.

/** The refusals of one source that were counted instead of written, over one window. */
export interface RefusalCount<K extends string = string> {
  kind: K;
  /** Who: a source address, or a username or principal name where there is no address. */
  source: string;
  /** Refusals after the first one, which was written in full. */
  count: number;
  /** Seconds from the first refusal of the window to the summary (whole, rounded up). */
  seconds: number;
}

/** What to do with one refusal; `summary` is an ended window of the same source to write first. */
export type RefusalVerdict<K extends string = string> =
  | { write: true; summary?: RefusalCount<K> }
  | { write: false };

/** Where sources beyond `maxSources` are counted together. */
export const OTHER_SOURCES = '(other sources)';

interface Window<K extends string> {
  kind: K;
  source: string;
  start: number;
  count: number;
}

/**
 * Per (kind, source): the first refusal of a window is written, the rest are counted until the
 * window ends, and the count is handed out once as a summary. At most `maxSources` windows are
 * open; refusals from further sources share the {@link OTHER_SOURCES} window of their kind.
 */
export class RefusalSummary<K extends string = string> {
  readonly #open = new Map<string, Window<K>>();

  constructor(private readonly opts: { windowMs: number; maxSources: number; now: () => number }) {}

  /** Note one refusal from `source`: write it in full, or only count it. */
  admit(kind: K, source: string): RefusalVerdict<K> {
    const now = this.opts.now();
    let key = `${kind}\u0000${source}`;
    if (!this.#open.has(key) && this.#open.size >= this.opts.maxSources) {
      key = `${kind}\u0000${OTHER_SOURCES}`;
      source = OTHER_SOURCES;
    }
    const w = this.#open.get(key);
    if (w && now - w.start < this.opts.windowMs) {
      w.count++;
      return { write: false };
    }
    this.#open.set(key, { kind, source, start: now, count: 0 });
    const summary = w && w.count > 0 ? this.#summary(w, now) : undefined;
    return summary ? { write: true, summary } : { write: true };
  }

  /** The counts of windows that have ended (each handed out once); their sources start afresh. */
  ended(): RefusalCount<K>[] {
    const now = this.opts.now();
    const out: RefusalCount<K>[] = [];
    for (const [key, w] of this.#open) {
      if (now - w.start < this.opts.windowMs) continue;
      this.#open.delete(key);
      if (w.count > 0) out.push(this.#summary(w, now));
    }
    return out;
  }

  /** Every count still held, ended or not (at shutdown, so none is lost); forgets all windows. */
  drain(): RefusalCount<K>[] {
    const now = this.opts.now();
    const out = [...this.#open.values()].filter((w) => w.count > 0).map((w) => this.#summary(w, now));
    this.#open.clear();
    return out;
  }

  #summary(w: Window<K>, now: number): RefusalCount<K> {
    const elapsed = Math.min(now - w.start, this.opts.windowMs);
    return {
      kind: w.kind,
      source: w.source,
      count: w.count,
      seconds: Math.max(1, Math.ceil(elapsed / 1000)),
    };
  }
}
