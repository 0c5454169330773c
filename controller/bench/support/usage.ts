/** What the system-under-test child reports about itself (see controller-child.ts). */
export interface ControllerUsage {
  /** Wall clock of the reading, ms since the epoch. */
  atMs: number;
  /** User + system CPU time of the process since it started, microseconds. */
  cpuUs: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Event loop delay since the last reset (perf_hooks, 10 ms resolution). */
  loopDelayMs: { p50: number; p99: number; max: number };
}

/** CPU use between two readings as a percentage of one core. */
export function cpuPercent(a: ControllerUsage, b: ControllerUsage): number {
  return ((b.cpuUs - a.cpuUs) / 1000 / (b.atMs - a.atMs)) * 100;
}
