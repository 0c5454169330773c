import type { NodeCondition, NodePhase, Telemetry } from '@osbuild/shared';

/** Thresholds of the health rules; the controller's options override any of them. */
export interface HealthThresholds {
  /** SoC temperature (°C) for a warning, and for critical. The Pi 5 firmware throttles at 85. */
  temperatureWarnC: number;
  temperatureCritC: number;
  /** Used/total of a filesystem for a warning, and for critical. */
  diskWarnRatio: number;
  diskCritRatio: number;
  /** Telemetry older than this (seconds, by the controller's clock) is stale. */
  telemetryStaleSec: number;
}

/** Defaults: 3 missed samples at the agent's 15 s interval make telemetry stale. */
export const DEFAULT_HEALTH: HealthThresholds = {
  temperatureWarnC: 75,
  temperatureCritC: 82,
  diskWarnRatio: 0.85,
  diskCritRatio: 0.95,
  telemetryStaleSec: 45,
};

// Phases in which the node runs (or is about to run) Kubernetes: only then is a stopped kubelet news.
const KUBELET_EXPECTED: readonly NodePhase[] = ['joined', 'ready'];

/**
 * The health conditions that hold for a node now. Pure: derived from the stored state and latest
 * sample at read time, so they can never disagree with what `nodes show` prints.
 */
export function evaluateConditions(
  node: { phase: NodePhase; online: boolean },
  latest: { sample: Telemetry; receivedAt: string } | null,
  now: Date,
  t: HealthThresholds = DEFAULT_HEALTH,
): NodeCondition[] {
  if (!latest) return [];
  const out: NodeCondition[] = [];
  const ageSec = (now.getTime() - Date.parse(latest.receivedAt)) / 1000;
  if (node.online && ageSec > t.telemetryStaleSec) {
    out.push({
      type: 'telemetry-stale',
      severity: 'warning',
      reason: `no telemetry for ${Math.round(ageSec)} s while online (limit ${t.telemetryStaleSec} s)`,
    });
  }
  const s = latest.sample;
  if (s.socTempC !== null && s.socTempC >= t.temperatureWarnC) {
    const critical = s.socTempC >= t.temperatureCritC;
    out.push({
      type: 'temperature-high',
      severity: critical ? 'critical' : 'warning',
      reason: `SoC at ${s.socTempC.toFixed(1)} °C (${critical ? 'critical' : 'warning'} from ${critical ? t.temperatureCritC : t.temperatureWarnC} °C)`,
    });
  }
  if (s.throttled?.underVoltageNow) {
    out.push({
      type: 'under-voltage',
      severity: 'critical',
      reason: `the firmware reports under-voltage now (${s.throttled.raw}): check the power supply`,
    });
  }
  if (s.throttled?.throttledNow || s.throttled?.armFreqCappedNow) {
    out.push({
      type: 'throttled',
      severity: 'warning',
      reason: `the firmware is throttling the CPU now (${s.throttled.raw})`,
    });
  }
  for (const d of s.disks) {
    const ratio = d.totalBytes > 0 ? d.usedBytes / d.totalBytes : 0;
    if (ratio >= t.diskWarnRatio) {
      const critical = ratio >= t.diskCritRatio;
      out.push({
        type: 'disk-full',
        severity: critical ? 'critical' : 'warning',
        reason: `${d.mount} is ${(ratio * 100).toFixed(0)}% full`,
      });
    }
  }
  if (KUBELET_EXPECTED.includes(node.phase) && s.services.kubelet !== 'active') {
    out.push({ type: 'kubelet-down', severity: 'critical', reason: `kubelet is ${s.services.kubelet}` });
  }
  return out;
}
