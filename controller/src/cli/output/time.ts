/** A timestamp as an age relative to `now`: `45s ago`, `3m ago`, `2h ago`, `4d ago`; `-` for null. */
export function formatAge(iso: string | null, now: Date): string {
  if (iso === null) return '-';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return iso;
  const s = Math.max(0, Math.floor((now.getTime() - then) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 120 * 60) return `${Math.floor(s / 60)}m ago`;
  if (s < 48 * 3600) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

/** A timestamp with its age, e.g. `2025-01-01T10:00:00.000Z (3m ago)`; `-` for null. */
export function formatTime(iso: string | null, now: Date): string {
  return iso === null ? '-' : `${iso} (${formatAge(iso, now)})`;
}
