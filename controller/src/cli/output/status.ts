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
    ...(s.nodeLimits ? [['Rate-limited', limitsText(s.nodeLimits)] as const] : []),
    ...(rejected.length === 0 ? [['Rejected', 'none'] as const] : []),
  ]);
  if (rejected.length === 0) return head;
  return `${head}\n${renderTable(
    ['REJECTED', 'COUNT'],
    rejected.map(([k, n]) => [k, String(n)]),
  )}`;
}

/** `12 (events 10, cmd-result 2); quota deleted 500 logs`: node input past its bounds. */
function limitsText(l: NonNullable<RpcResult<'controller.stats'>['nodeLimits']>): string {
  const part = (r: Record<string, number>) =>
    Object.entries(r)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ');
  const dropped = Object.values(l.byKind).reduce((a, b) => a + b, 0);
  const deleted = part(l.quotaDeleted);
  return `${dropped === 0 ? 'none' : `${dropped} (${part(l.byKind)})`}${deleted ? `; quota deleted ${deleted}` : ''}`;
}
