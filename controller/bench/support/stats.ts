/** Nearest-rank percentile of `values` (0 < p <= 100); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** Round to `digits` decimals (for tables and JSON alike). */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** p50/p99/max of a latency list in ms, rounded. */
export function summary(values: readonly number[]): { p50: number; p99: number; max: number; n: number } {
  return {
    p50: round(percentile(values, 50)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? Math.max(...values) : Number.NaN),
    n: values.length,
  };
}

/** Bytes as MiB, one decimal. */
export function mib(bytes: number): number {
  return round(bytes / 2 ** 20);
}
