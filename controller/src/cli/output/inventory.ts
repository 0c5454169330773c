import type { Inventory, InventoryIssue } from '@osbuild/shared';
import { renderTable } from './table.js';

/** What `inventory check -o json|yaml` prints for a valid file. */
export interface InventoryValidReport {
  ok: true;
  file: string;
  cluster: string;
  entries: number;
  byRole: Record<string, number>;
}

/** What `inventory check -o json|yaml` prints. */
export type InventoryCheckReport =
  | InventoryValidReport
  | { ok: false; file: string; issues: InventoryIssue[] };

/** Summarise a valid inventory: entries by role. */
export function inventorySummary(file: string, inv: Inventory): InventoryValidReport {
  const byRole: Record<string, number> = {};
  for (const n of inv.nodes) byRole[n.role] = (byRole[n.role] ?? 0) + 1;
  return { ok: true, file, cluster: inv.cluster.name, entries: inv.nodes.length, byRole };
}

/** Human view of a valid inventory. */
export function inventorySummaryText(r: InventoryValidReport): string {
  const head = `${r.file}: valid, cluster ${r.cluster}, ${r.entries} ${r.entries === 1 ? 'entry' : 'entries'}\n`;
  const roles = Object.entries(r.byRole);
  if (roles.length === 0) return head;
  return `${head}${renderTable(
    ['ROLE', 'ENTRIES'],
    roles.map(([role, n]) => [role, String(n)]),
  )}`;
}
