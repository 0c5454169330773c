import type { Telemetry } from '@osbuild/shared';
import type { NodeBrief } from '../store/node-store.js';
import type { NodeMetricsView, NodeTelemetrySample } from './metrics-sources.js';

/** The store's nodes as the metrics see them; conflict records are not nodes of the fleet. */
export function nodeMetricsViews(rows: readonly NodeBrief[]): NodeMetricsView[] {
  return rows
    .filter((n) => n.conflict_of === null)
    .map((n) => ({
      nodeId: n.node_id,
      name: n.hostname ?? n.node_id,
      role: n.role,
      phase: n.phase,
      online: n.online,
    }));
}

/** The parts of a telemetry sample that become per-node gauges. */
export function telemetryGauges(t: Telemetry): NodeTelemetrySample {
  return { socTempC: t.socTempC, throttledNow: t.throttled?.throttledNow ?? false, disks: t.disks };
}
