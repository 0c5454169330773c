/** One node as the metrics see it; read afresh at every scrape so gauges cannot drift. */
export interface NodeMetricsView {
  nodeId: string;
  /** The name operators use (bound hostname, else the nodeId); becomes the `node` label. */
  name: string;
  /** Null until the node is bound to an inventory entry; exported as `role="none"`. */
  role: string | null;
  phase: string;
  online: boolean;
}

/** A disk as reported by the node's latest telemetry. */
export interface DiskSample {
  mount: string;
  totalBytes: number;
  usedBytes: number;
}

/** The parts of a node's latest telemetry that become gauges; every field may be missing. */
export interface NodeTelemetrySample {
  socTempC?: number | null;
  throttledNow?: boolean;
  disks?: DiskSample[];
}

/**
 * Where the metrics read the controller's state at scrape time. Callbacks are synchronous and
 * cheap (SQLite reads, in-memory counters); they are called once per scrape, not per metric.
 */
export interface MetricsSources {
  nodes(): NodeMetricsView[];
  /** Clients connected to the embedded broker right now. */
  connectedClients(): number;
  /** Cumulative rejected inbound messages by topic kind (`RejectCounters` as a record). */
  rejected(): Record<string, number>;
  /** Of those, the ones the rate-limited rejection log did not write a line for, by kind. */
  rejectedUnlogged?(): Record<string, number>;
  /** Cumulative inbound messages by topic kind, when the controller counts them. */
  messagesIn?(): Record<string, number>;
  /** Cumulative outbound messages by kind, when the controller counts them. */
  messagesOut?(): Record<string, number>;
  /** Cumulative refused MQTT logins since start. */
  loginFailures(): number;
  /** Latest telemetry of a node, or null when none has arrived. */
  telemetry?(nodeId: string): NodeTelemetrySample | null;
}
