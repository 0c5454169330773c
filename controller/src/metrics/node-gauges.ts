import { nodePhase } from '@osbuild/shared';
import type { NodeMetricsView, NodeTelemetrySample } from './metrics-sources.js';

/** What one scrape read from the controller: nodes and, per nodeId, their latest telemetry. */
export interface NodeScrape {
  nodes: NodeMetricsView[];
  telemetry: ReadonlyMap<string, NodeTelemetrySample>;
}

type Labels = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * One gauge family, written in the Prometheus text format exactly as prom-client 15 writes a
 * `Gauge` that was reset and then set series by series: a series is identified by its sorted
 * label set (setting it again replaces the value and labels but keeps its first position), label
 * values are escaped the same way, numbers print the same way.
 */
class GaugeText {
  private readonly series = new Map<string, string>();

  constructor(
    private readonly name: string,
    private readonly help: string,
  ) {}

  set(labels: Labels, value: number): void {
    const key = [...labels]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${k}:${v},`)
      .join('');
    const body = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
    this.series.set(key, `${this.name}{${body}} ${valueText(value)}`);
  }

  render(): string {
    return [
      `# HELP ${this.name} ${escape(this.help)}`,
      `# TYPE ${this.name} gauge`,
      ...this.series.values(),
    ].join('\n');
  }
}

function escape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function escapeLabelValue(s: string): string {
  return escape(s).replace(/"/g, '\\"');
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
  );
  const phase = new GaugeText(
    'osbuild_node_phase',
    'The node is in this lifecycle phase (only the current phase is exported, with value 1).',
  );
  const counts = new GaugeText(
    'osbuild_nodes',
    'Number of nodes in each lifecycle phase (every known phase, 0 included).',
  );
  const temperature = new GaugeText(
    'osbuild_node_temperature_celsius',
    'SoC temperature from the latest telemetry, in degrees Celsius.',
  );
  const throttled = new GaugeText(
    'osbuild_node_throttled',
    'Whether the firmware reports the node throttled right now (1) or not (0).',
  );
  const disk = new GaugeText(
    'osbuild_node_disk_used_ratio',
    'Used fraction (0..1) of a filesystem on the node, from the latest telemetry.',
  );

  const perPhase = new Map<string, number>(nodePhase.options.map((p) => [p, 0]));
  for (const n of scrape.nodes) {
    online.set(
      [
        ['node', n.name],
        ['role', n.role ?? 'none'],
      ],
      n.online ? 1 : 0,
    );
    phase.set(
      [
        ['node', n.name],
        ['phase', n.phase],
      ],
      1,
    );
    perPhase.set(n.phase, (perPhase.get(n.phase) ?? 0) + 1);
    const t = scrape.telemetry.get(n.nodeId);
    if (!t) continue;
    if (typeof t.socTempC === 'number' && Number.isFinite(t.socTempC))
      temperature.set([['node', n.name]], t.socTempC);
    if (typeof t.throttledNow === 'boolean') throttled.set([['node', n.name]], t.throttledNow ? 1 : 0);
    for (const d of t.disks ?? [])
      if (d.totalBytes > 0)
        disk.set(
          [
            ['node', n.name],
            ['mount', d.mount],
          ],
          d.usedBytes / d.totalBytes,
        );
  }
  for (const [p, count] of perPhase) counts.set([['phase', p]], count);
  return [online, phase, counts, temperature, throttled, disk].map((g) => g.render()).join('\n\n');
}
