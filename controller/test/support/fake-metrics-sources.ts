import type {
  MetricsSources,
  NodeMetricsView,
  NodeTelemetrySample,
} from '../../src/metrics/metrics-sources.js';

/** A hand-written {@link MetricsSources}: tests change its fields between scrapes. */
export class FakeMetricsSources implements MetricsSources {
  nodeList: NodeMetricsView[] = [];
  clients = 0;
  rejectedCounts: Record<string, number> = {};
  inCounts: Record<string, number> = {};
  failures = 0;
  samples = new Map<string, NodeTelemetrySample | null>();
  /** How many times each callback was called, to prove one read per scrape. */
  reads = { nodes: 0, telemetry: 0 };

  nodes(): NodeMetricsView[] {
    this.reads.nodes += 1;
    return this.nodeList;
  }
  connectedClients(): number {
    return this.clients;
  }
  rejected(): Record<string, number> {
    return this.rejectedCounts;
  }
  messagesIn(): Record<string, number> {
    return this.inCounts;
  }
  loginFailures(): number {
    return this.failures;
  }
  telemetry(nodeId: string): NodeTelemetrySample | null {
    this.reads.telemetry += 1;
    return this.samples.get(nodeId) ?? null;
  }
}

/** The exposition lines (no comments) of one metric family, e.g. `osbuild_nodes`. */
export function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

/** Metric family names declared by `# TYPE` lines. */
export function familiesOf(text: string): Set<string> {
  return new Set(
    text
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => l.split(' ')[2] ?? ''),
  );
}
