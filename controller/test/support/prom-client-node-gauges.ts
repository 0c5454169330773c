// The per-node gauges as they were written with prom-client Gauges before the controller rendered
// them itself (git history: controller/src/metrics/node-gauges.ts). Kept as the oracle the
// renderer is compared with: the exposition must not change by a byte.
import { nodePhase } from '@osbuild/shared';
import { Gauge, type Registry } from 'prom-client';
import type { NodeMetricsView, NodeTelemetrySample } from '../../src/metrics/metrics-sources.js';

/** What one scrape read from the controller: nodes and, per nodeId, their latest telemetry. */
interface NodeScrape {
  nodes: NodeMetricsView[];
  telemetry: ReadonlyMap<string, NodeTelemetrySample>;
}

/**
 * Per-node gauges, rebuilt from `read()` at every scrape: each collect resets its gauge first,
 * so a removed node or a left phase disappears instead of keeping its last value.
 */
export function registerNodeGauges(registry: Registry, read: () => NodeScrape): void {
  const registers = [registry];
  new Gauge({
    name: 'osbuild_node_online',
    help: 'Whether the node is connected to the controller (1) or not (0).',
    labelNames: ['node', 'role'] as const,
    registers,
    collect() {
      this.reset();
      for (const n of read().nodes) this.set({ node: n.name, role: n.role ?? 'none' }, n.online ? 1 : 0);
    },
  });
  new Gauge({
    name: 'osbuild_node_phase',
    help: 'The node is in this lifecycle phase (only the current phase is exported, with value 1).',
    labelNames: ['node', 'phase'] as const,
    registers,
    collect() {
      this.reset();
      for (const n of read().nodes) this.set({ node: n.name, phase: n.phase }, 1);
    },
  });
  new Gauge({
    name: 'osbuild_nodes',
    help: 'Number of nodes in each lifecycle phase (every known phase, 0 included).',
    labelNames: ['phase'] as const,
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, number>(nodePhase.options.map((p) => [p, 0]));
      for (const n of read().nodes) counts.set(n.phase, (counts.get(n.phase) ?? 0) + 1);
      for (const [phase, count] of counts) this.set({ phase }, count);
    },
  });
  registerTelemetryGauges(registry, read);
}

function registerTelemetryGauges(registry: Registry, read: () => NodeScrape): void {
  const registers = [registry];
  const withTelemetry = function* () {
    const scrape = read();
    for (const n of scrape.nodes) {
      const t = scrape.telemetry.get(n.nodeId);
      if (t) yield { node: n.name, t };
    }
  };
  new Gauge({
    name: 'osbuild_node_temperature_celsius',
    help: 'SoC temperature from the latest telemetry, in degrees Celsius.',
    labelNames: ['node'] as const,
    registers,
    collect() {
      this.reset();
      for (const { node, t } of withTelemetry())
        if (typeof t.socTempC === 'number' && Number.isFinite(t.socTempC)) this.set({ node }, t.socTempC);
    },
  });
  new Gauge({
    name: 'osbuild_node_throttled',
    help: 'Whether the firmware reports the node throttled right now (1) or not (0).',
    labelNames: ['node'] as const,
    registers,
    collect() {
      this.reset();
      for (const { node, t } of withTelemetry())
        if (typeof t.throttledNow === 'boolean') this.set({ node }, t.throttledNow ? 1 : 0);
    },
  });
  new Gauge({
    name: 'osbuild_node_disk_used_ratio',
    help: 'Used fraction (0..1) of a filesystem on the node, from the latest telemetry.',
    labelNames: ['node', 'mount'] as const,
    registers,
    collect() {
      this.reset();
      for (const { node, t } of withTelemetry())
        for (const d of t.disks ?? [])
          if (d.totalBytes > 0) this.set({ node, mount: d.mount }, d.usedBytes / d.totalBytes);
    },
  });
}
