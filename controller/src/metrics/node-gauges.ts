import { nodePhase } from '@osbuild/shared';
import type { NodeMetricsView, NodeTelemetrySample } from './metrics-sources.js';

/** What one scrape read from the controller: nodes and, per nodeId, their latest telemetry. */
export interface NodeScrape {
  nodes: NodeMetricsView[];
  telemetry: ReadonlyMap<string, NodeTelemetrySample>;
}

/**
 * One gauge family, written in the Prometheus text format exactly as prom-client 15 writes a
 * `Gauge` that was reset and then set series by series: a series is identified by its label values
 * in sorted label-name order (setting it again replaces the value but keeps its first position),
 * label values are escaped the same way, numbers print the same way.
 */
class GaugeText {
  private readonly series = new Map<string, string>();
  /** Positions of the label names in sorted order, for the series identity. */
  private readonly sorted: number[];

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
  ) {
    this.sorted = labelNames.map((_, i) => i).sort((a, b) => cmp(labelNames[a] ?? '', labelNames[b] ?? ''));
  }

  /** Set the series with these label values (in the order of the label names). */
  set(values: readonly string[], value: number): void {
    let key = '';
    for (const i of this.sorted) key += `${this.labelNames[i]}:${values[i]},`;
    let body = '';
    for (let i = 0; i < values.length; i++)
      body += `${i > 0 ? ',' : ''}${this.labelNames[i]}="${escapeLabelValue(values[i] ?? '')}"`;
    this.series.set(key, `${this.name}{${body}} ${valueText(value)}`);
  }

  render(): string {
    return [
      `# HELP ${this.name} ${escapeText(this.help)}`,
      `# TYPE ${this.name} gauge`,
      ...this.series.values(),
    ].join('\n');
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const NEEDS_ESCAPE = /[\\\n"]/;

function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return escapeText(s).replace(/"/g, '\\"');
}

function valueText(v: number): string {
  if (Number.isNaN(v)) return 'Nan';
  if (!Number.isFinite(v)) return v < 0 ? '-Inf' : '+Inf';
  return `${v}`;
}

/**
 * The per-node gauge families of one scrape, as text. Written directly rather than through
 * prom-client gauges: at thousands of nodes the library's per-series bookkeeping (label
 * validation, hashing, objects per series, then formatting) was most of a scrape's time, all of it
 * on the event loop. Rebuilt from `scrape` every time, so a removed node or a left phase is gone.
 */
export function renderNodeGauges(scrape: NodeScrape): string {
  const online = new GaugeText(
    'osbuild_node_online',
    'Whether the node is connected to the controller (1) or not (0).',
    ['node', 'role'],
  );
  const phase = new GaugeText(
    'osbuild_node_phase',
    'The node is in this lifecycle phase (only the current phase is exported, with value 1).',
    ['node', 'phase'],
  );
  const counts = new GaugeText(
    'osbuild_nodes',
    'Number of nodes in each lifecycle phase (every known phase, 0 included).',
    ['phase'],
  );
  const temperature = new GaugeText(
    'osbuild_node_temperature_celsius',
    'SoC temperature from the latest telemetry, in degrees Celsius.',
    ['node'],
  );
  const throttled = new GaugeText(
    'osbuild_node_throttled',
    'Whether the firmware reports the node throttled right now (1) or not (0).',
    ['node'],
  );
  const disk = new GaugeText(
    'osbuild_node_disk_used_ratio',
    'Used fraction (0..1) of a filesystem on the node, from the latest telemetry.',
    ['node', 'mount'],
  );

  const perPhase = new Map<string, number>(nodePhase.options.map((p) => [p, 0]));
  for (const n of scrape.nodes) {
    online.set([n.name, n.role ?? 'none'], n.online ? 1 : 0);
    phase.set([n.name, n.phase], 1);
    perPhase.set(n.phase, (perPhase.get(n.phase) ?? 0) + 1);
    const t = scrape.telemetry.get(n.nodeId);
    if (!t) continue;
    if (typeof t.socTempC === 'number' && Number.isFinite(t.socTempC)) temperature.set([n.name], t.socTempC);
    if (typeof t.throttledNow === 'boolean') throttled.set([n.name], t.throttledNow ? 1 : 0);
    for (const d of t.disks ?? [])
      if (d.totalBytes > 0) disk.set([n.name, d.mount], d.usedBytes / d.totalBytes);
  }
  for (const [p, count] of perPhase) counts.set([p], count);
  return [online, phase, counts, temperature, throttled, disk].map((g) => g.render()).join('\n\n');
}
