/**
 * What both lifecycle owners (node-phase.ts, command-state.ts) are built from: a transition table
 * keyed by every state (balena-supervisor's `{[K in Action]: executor}` applied to states, so a new
 * state without an entry does not compile), named groups of states, and the error of a move the
 * table does not allow.
 */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

/** True when `state` is one of `group`. */
export function inStates<S extends string>(group: readonly S[], state: S): boolean {
  return group.includes(state);
}

/** A move the table does not allow: a bug in the caller, never a silent write. */
export class IllegalTransition<S extends string = string> extends Error {
  constructor(
    /** e.g. `node pi-1000…` or `command cmd-…`. */
    readonly subject: string,
    /** e.g. `phase` or `state`. */
    what: string,
    readonly from: S,
    readonly to: S,
  ) {
    super(`${subject}: illegal ${what} transition ${from} -> ${to}`);
    this.name = new.target.name;
  }
}
