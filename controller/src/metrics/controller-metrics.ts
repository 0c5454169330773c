import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { MetricsSources, NodeTelemetrySample } from './metrics-sources.js';
import { type NodeScrape, renderNodeGauges } from './node-gauges.js';

/**
 * Provisioning steps run from seconds (set-hostname) to tens of minutes (image pulls, kubeadm
 * join on a slow SD card), so the buckets reach an hour.
 */
export const STEP_DURATION_BUCKETS: readonly number[] = [
  0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, 3600,
];

/** Tuning for {@link ControllerMetrics}. */
export interface ControllerMetricsOptions {
  /** Upper bounds, in seconds, of `osbuild_step_duration_seconds`. */
  stepBuckets?: readonly number[];
  /** Export prom-client's process and Node.js runtime metrics (default true). */
  processMetrics?: boolean;
}

/** A rendered scrape, ready to be sent as an HTTP response. */
export interface MetricsExposition {
  contentType: string;
  body: string;
}

/**
 * The controller's Prometheus metrics in a registry of their own (never prom-client's global
 * one), so two controllers in one process — as in tests — never see each other's series.
 * State-like metrics are read from `sources` at scrape time; events are pushed with
 * {@link observeStep} and {@link observeCommand}. Nothing here throws into the caller's path.
 */
export class ControllerMetrics {
  readonly registry = new Registry();
  private readonly stepDuration: Histogram<'kind' | 'outcome'>;
  private readonly commands: Counter<'outcome'>;

  constructor(
    private readonly sources: MetricsSources,
    opts: ControllerMetricsOptions = {},
  ) {
    const registers = [this.registry];
    new Gauge({
      name: 'osbuild_mqtt_connected_clients',
      help: 'MQTT clients connected to the embedded broker.',
      registers,
      collect() {
        this.set(sources.connectedClients());
      },
    });
    recordCounter(
      this.registry,
      'osbuild_messages_rejected_total',
      'Inbound MQTT messages rejected at the boundary (bad topic or payload), by topic kind.',
      () => sources.rejected(),
    );
    const rejectedUnlogged = sources.rejectedUnlogged?.bind(sources);
    if (rejectedUnlogged)
      recordCounter(
        this.registry,
        'osbuild_messages_rejected_unlogged_total',
        'Rejected inbound messages the rate-limited log did not write a line for, by topic kind.',
        rejectedUnlogged,
      );
    const messagesIn = sources.messagesIn?.bind(sources);
    if (messagesIn)
      recordCounter(
        this.registry,
        'osbuild_mqtt_messages_in_total',
        'Inbound MQTT messages routed by the controller, by topic kind.',
        messagesIn,
      );
    const messagesOut = sources.messagesOut?.bind(sources);
    if (messagesOut)
      recordCounter(
        this.registry,
        'osbuild_mqtt_messages_out_total',
        'MQTT messages published by the controller, by kind.',
        messagesOut,
      );
    new Counter({
      name: 'osbuild_login_failures_total',
      help: 'Refused MQTT logins (bad credentials, unknown principals) since the controller started.',
      registers,
      collect() {
        this.reset();
        this.inc(nonNegative(sources.loginFailures()));
      },
    });
    this.stepDuration = new Histogram({
      name: 'osbuild_step_duration_seconds',
      help: 'Duration of finished provisioning step attempts, by step kind and outcome.',
      labelNames: ['kind', 'outcome'] as const,
      buckets: [...(opts.stepBuckets ?? STEP_DURATION_BUCKETS)],
      registers,
    });
    this.commands = new Counter({
      name: 'osbuild_commands_total',
      help: 'Commands sent to nodes that reached an outcome, by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    });
    if (opts.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** The exposition format's content type (Prometheus text 0.0.4). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** Record one finished step attempt. `kind` should be the step kind, not its label. */
  observeStep(kind: string, outcome: string, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    this.stepDuration.observe({ kind, outcome }, seconds);
  }

  /** Record one command outcome (succeeded, failed, timed-out, ...). */
  observeCommand(outcome: string): void {
    this.commands.inc({ outcome });
  }

  /** Render every metric in the Prometheus text format. */
  async metricsText(): Promise<string> {
    // The per-node families first, where they have always been in the exposition; the registry
    // holds everything else.
    const nodes = renderNodeGauges(this.readNodes());
    return `${nodes}\n\n${await this.registry.metrics()}`;
  }

  /** A scrape as the HTTP server's `metrics` option wants it. */
  async exposition(): Promise<MetricsExposition> {
    return { contentType: this.contentType, body: await this.metricsText() };
  }

  private readNodes(): NodeScrape {
    const nodes = this.sources.nodes();
    const telemetry = new Map<string, NodeTelemetrySample>();
    const read = this.sources.telemetry?.bind(this.sources);
    if (read)
      for (const n of nodes) {
        const t = read(n.nodeId);
        if (t) telemetry.set(n.nodeId, t);
      }
    return { nodes, telemetry };
  }
}

/** A counter whose values are cumulative totals kept elsewhere, copied in at scrape time. */
function recordCounter(
  registry: Registry,
  name: string,
  help: string,
  read: () => Record<string, number>,
): void {
  new Counter({
    name,
    help,
    labelNames: ['kind'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const [kind, n] of Object.entries(read())) this.inc({ kind }, nonNegative(n));
    },
  });
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
