/** Time source, injected so state machines can be tested without waiting (tinkerbell's nowFunc). */
export interface Clock {
  now(): Date;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => new Date() };
