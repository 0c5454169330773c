import {
  type NodeStatus,
  nodeStatusSchema,
  parsePayload,
  parseTopic,
  type Telemetry,
  telemetrySchema,
} from '@osbuild/shared';

/** One row of `osbuild watch`. Names and phases come from the controller (operators only). */
export interface WatchRow {
  nodeId: string;
  name: string;
  phase: string | null;
  online: boolean | null;
  socTempC: number | null;
  load1: number | null;
  memUsedPercent: number | null;
  rootDiskPercent: number | null;
  uptimeSec: number | null;
  throttled: boolean | null;
  /** Conditions from the controller's node list (operators only). */
  conditions: string[];
  /** When the last status or telemetry message for this node arrived (ISO). */
  lastMessageAt: string | null;
}

/** The fleet as `osbuild watch` sees it, fed by status/telemetry messages and node lists. */
export class FleetView {
  readonly #rows = new Map<string, WatchRow>();
  /** When set, only these node ids are shown (a name or a selector was given). */
  #only: Set<string> | null = null;

  only(nodeIds: Iterable<string> | null): void {
    this.#only = nodeIds === null ? null : new Set(nodeIds);
  }

  #row(nodeId: string): WatchRow {
    let r = this.#rows.get(nodeId);
    if (!r) {
      r = {
        nodeId,
        name: nodeId,
        phase: null,
        online: null,
        socTempC: null,
        load1: null,
        memUsedPercent: null,
        rootDiskPercent: null,
        uptimeSec: null,
        throttled: null,
        conditions: [],
        lastMessageAt: null,
      };
      this.#rows.set(nodeId, r);
    }
    return r;
  }

  /** Feed one MQTT message; invalid payloads are ignored (returns false). */
  onMessage(topic: string, payload: Buffer, at: Date): boolean {
    const t = parseTopic(topic);
    if (t?.scope !== 'node') return false;
    if (t.kind === 'status') {
      if (payload.length === 0) return false;
      const s = parsePayload(nodeStatusSchema, payload);
      if (!s.ok) return false;
      this.#status(t.nodeId, s.value, at);
      return true;
    }
    if (t.kind === 'telemetry') {
      const s = parsePayload(telemetrySchema, payload);
      if (!s.ok) return false;
      this.#telemetry(t.nodeId, s.value, at);
      return true;
    }
    return false;
  }

  #status(nodeId: string, s: NodeStatus, at: Date): void {
    const r = this.#row(nodeId);
    r.online = s.online;
    r.lastMessageAt = at.toISOString();
  }

  #telemetry(nodeId: string, t: Telemetry, at: Date): void {
    const r = this.#row(nodeId);
    r.socTempC = t.socTempC;
    r.load1 = t.load[0];
    r.memUsedPercent =
      t.memory.totalBytes > 0
        ? Math.round((100 * (t.memory.totalBytes - t.memory.availableBytes)) / t.memory.totalBytes)
        : null;
    const root = t.disks.find((d) => d.mount === '/');
    r.rootDiskPercent =
      root && root.totalBytes > 0 ? Math.round((100 * root.usedBytes) / root.totalBytes) : null;
    r.uptimeSec = t.uptimeSec;
    r.throttled = t.throttled ? t.throttled.throttledNow || t.throttled.underVoltageNow : null;
    r.lastMessageAt = at.toISOString();
  }

  /** What the controller says about each node (operators): names, phases, online, conditions. */
  onNodeList(
    nodes: readonly {
      nodeId: string;
      name: string;
      phase: string;
      online: boolean;
      conditions: { type: string }[];
    }[],
  ): void {
    for (const n of nodes) {
      const r = this.#row(n.nodeId);
      r.name = n.name;
      r.phase = n.phase;
      r.online = n.online;
      r.conditions = n.conditions.map((c) => c.type);
    }
  }

  rows(): WatchRow[] {
    return [...this.#rows.values()]
      .filter((r) => this.#only === null || this.#only.has(r.nodeId))
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
