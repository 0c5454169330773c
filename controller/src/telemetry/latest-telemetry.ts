import type { Telemetry } from '@osbuild/shared';

/** A node's latest sample with the time the controller received it (our clock). */
export interface ReceivedSample {
  sample: Telemetry;
  receivedAt: string;
}

/** Where the cache is seeded from at start-up (the store's telemetry table). */
export interface TelemetrySeed {
  allReceived(): Map<string, ReceivedSample>;
}

/**
 * Every node's latest parsed telemetry sample, in memory. The store keeps the same sample in
 * SQLite for restarts; this copy exists because readers that visit every node — the `/metrics`
 * scrape every 15 s, the condition check every 5 s — would otherwise read and re-parse one row
 * per node each time, synchronously on the event loop (3.2 s per scrape at 5,000 nodes, see
 * docs/performance.md). The message router records each sample right after storing it, so the
 * two never disagree while the controller runs.
 */
export class LatestTelemetry {
  private readonly byNode = new Map<string, ReceivedSample>();

  /** A cache holding what the store holds now (rows that no longer parse are left out, as there). */
  static seededFrom(seed: TelemetrySeed): LatestTelemetry {
    const cache = new LatestTelemetry();
    for (const [nodeId, received] of seed.allReceived()) cache.byNode.set(nodeId, received);
    return cache;
  }

  /** Replace the node's sample (call after the store accepted it). */
  record(nodeId: string, sample: Telemetry, receivedAt: string): void {
    this.byNode.set(nodeId, { sample, receivedAt });
  }

  /** The node's latest sample and when it arrived, or null when none has. */
  get(nodeId: string): ReceivedSample | null {
    return this.byNode.get(nodeId) ?? null;
  }

  /** Drop the samples of every node not in `nodeIds` (nodes removed since). */
  retainOnly(nodeIds: Iterable<string>): void {
    const keep = new Set(nodeIds);
    for (const nodeId of this.byNode.keys()) if (!keep.has(nodeId)) this.byNode.delete(nodeId);
  }

  /** Nodes with a sample. */
  get size(): number {
    return this.byNode.size;
  }
}
