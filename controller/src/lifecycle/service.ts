/**
 * The contract every long-lived part of the controller keeps (zigbee2mqtt's extension lifecycle):
 * the constructor only stores its dependencies, `start` begins the work (subscriptions, watches,
 * first reconciliation), `stop` ends it and is safe to call twice. The composition root keeps the
 * list, starts in order and stops in reverse.
 */
export interface Service {
  /** For logs: which service failed to start or stop. */
  readonly name: string;
  start(): void | Promise<void>;
  stop(): void | Promise<void>;
}

/**
 * Periodic work, run by the one scheduler (server/scheduler.ts) rather than a timer of its own. A
 * job that throws is logged with its name and runs again at its next period.
 */
export interface PeriodicJob {
  readonly name: string;
  readonly everyMs: number;
  run(): void | Promise<void>;
}
