import type { RpcResult } from '@osbuild/shared';
import { renderKeyValue, renderTable } from './table.js';
import { formatTime } from './time.js';

/** `osbuild status`: the controller's own numbers. */
export function statusText(s: RpcResult<'controller.stats'>, now: Date): string {
  const rejected = Object.entries(s.rejectedMessages).filter(([, n]) => n > 0);
  const head = renderKeyValue([
    ['Version', s.version],
    ['Started', formatTime(s.startedAt, now)],
    ['Nodes', String(s.nodes)],
    ['Inventory', s.inventory.path],
    ['Entries', String(s.inventory.entries)],
    ['Loaded', formatTime(s.inventory.loadedAt, now)],
    ['Last error', s.inventory.lastError ?? '-'],
    ['Failed logins', String(s.failedLogins)],
    ...(rejected.length === 0 ? [['Rejected', 'none'] as const] : []),
  ]);
  if (rejected.length === 0) return head;
  return `${head}\n${renderTable(
    ['REJECTED', 'COUNT'],
    rejected.map(([k, n]) => [k, String(n)]),
  )}`;
}
