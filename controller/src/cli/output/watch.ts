import type { WatchRow } from '../watch/fleet-view.js';
import { cell, renderTable } from './table.js';

function duration(sec: number | null): string {
  if (sec === null) return '-';
  if (sec < 120) return `${Math.floor(sec)}s`;
  if (sec < 7200) return `${Math.floor(sec / 60)}m`;
  if (sec < 172_800) return `${Math.floor(sec / 3600)}h`;
  return `${Math.floor(sec / 86_400)}d`;
}

const pct = (n: number | null) => (n === null ? '-' : `${n}%`);

/** The live table of `osbuild watch`. */
export function watchTable(rows: readonly WatchRow[], at: Date): string {
  const head = `osbuild watch  ${at.toISOString()}  ${rows.length} node${rows.length === 1 ? '' : 's'}, ${rows.filter((r) => r.online).length} online\n`;
  if (rows.length === 0) return `${head}No nodes seen yet.\n`;
  return (
    head +
    renderTable(
      ['NAME', 'PHASE', 'ONLINE', 'TEMP', 'LOAD', 'MEM', 'DISK', 'UPTIME', 'CONDITIONS'],
      rows.map((r) => [
        r.name,
        cell(r.phase),
        r.online === null ? '-' : r.online ? 'yes' : 'no',
        r.socTempC === null ? '-' : `${r.socTempC.toFixed(1)}C`,
        r.load1 === null ? '-' : r.load1.toFixed(2),
        pct(r.memUsedPercent),
        pct(r.rootDiskPercent),
        duration(r.uptimeSec),
        r.conditions.length ? r.conditions.join(',') : r.throttled ? 'throttled' : '-',
      ]),
    )
  );
}
