// Pure parsers of the /proc and /sys text the telemetry reads. Each returns null (or an empty
// list) for text it cannot make sense of: a missing counter must not cost the whole sample.
import type { NetCounters } from '@osbuild/shared';

/** `/proc/loadavg`: the 1, 5 and 15 minute averages. */
export function parseLoadavg(text: string | null): [number, number, number] | null {
  const [a, b, c] = (text ?? '').trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => n !== undefined && Number.isFinite(n) && n >= 0)) return null;
  return [a as number, b as number, c as number];
}

/** `/proc/uptime`: seconds since boot. */
export function parseUptime(text: string | null): number | null {
  const n = Number((text ?? '').trim().split(/\s+/)[0]);
  return (text ?? '').trim() && Number.isFinite(n) && n >= 0 ? n : null;
}

/** `/proc/meminfo`: total and available memory in bytes (the file counts kB = KiB). */
export function parseMeminfo(text: string | null): { totalBytes: number; availableBytes: number } | null {
  const kib = (key: string): number | null => {
    const m = new RegExp(`^${key}:\\s+(\\d+)\\s*kB`, 'm').exec(text ?? '');
    return m ? Number(m[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal');
  // MemAvailable exists since Linux 3.14; older kernels only get MemFree, an underestimate.
  const availableBytes = kib('MemAvailable') ?? kib('MemFree');
  if (totalBytes === null || availableBytes === null) return null;
  return { totalBytes, availableBytes };
}

/** Aggregate CPU time from the `cpu` line of `/proc/stat`, in clock ticks. */
export interface CpuTimes {
  busy: number;
  total: number;
}

/** The first (`cpu`, all cores) line of `/proc/stat`. */
export function parseCpuTimes(text: string | null): CpuTimes | null {
  const line = (text ?? '').split('\n').find((l) => /^cpu\s/.test(l));
  if (!line) return null;
  // user nice system idle iowait irq softirq steal [guest guest_nice]: guest time is already
  // counted in user and nice (proc(5)), so only the first eight fields add up to the total.
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  if (f.length < 4 || f.some((n) => !Number.isFinite(n))) return null;
  const total = f.reduce((a, b) => a + b, 0);
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/** Busy percentage between two samples, one decimal; null when no time passed or a counter reset. */
export function cpuPercent(prev: CpuTimes | null, cur: CpuTimes | null): number | null {
  if (!prev || !cur) return null;
  const total = cur.total - prev.total;
  const busy = cur.busy - prev.busy;
  if (total <= 0 || busy < 0) return null;
  return Math.round((1000 * busy) / total) / 10;
}

/** `/sys/class/thermal/thermal_zone*\/temp`: millidegrees Celsius to degrees. */
export function parseMilliCelsius(text: string | null): number | null {
  const raw = (text ?? '').trim();
  if (!/^-?\d+$/.test(raw)) return null;
  return Number(raw) / 1000;
}

/**
 * Per-pod interfaces (one veth or cali per container on a Kubernetes node) are unbounded in number
 * and of no interest per node; the loopback neither.
 */
const SKIPPED_IFACE = /^(lo|veth|cali|lxc|cilium_|flannel\.|cni|docker|br-)/;

/** `/proc/net/dev`: byte counters of the node's own interfaces, at most `max` of them. */
export function parseNetDev(text: string | null, max: number): NetCounters[] {
  const out: NetCounters[] = [];
  for (const line of (text ?? '').split('\n').slice(2)) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const iface = m[1] as string;
    if (SKIPPED_IFACE.test(iface) || iface.length > 32) continue;
    // Receive has 8 columns (bytes first), transmit follows with bytes first again.
    const cols = (m[2] as string).trim().split(/\s+/).map(Number);
    const rxBytes = cols[0];
    const txBytes = cols[8];
    if (rxBytes === undefined || txBytes === undefined) continue;
    if (!Number.isSafeInteger(rxBytes) || !Number.isSafeInteger(txBytes)) continue;
    out.push({ iface, rxBytes, txBytes });
    if (out.length >= max) break;
  }
  return out;
}
