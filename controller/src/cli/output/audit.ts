import type { AuditRecord, AuditVerifyResult } from '../../audit/audit-log.js';
import { cell, renderTable } from './table.js';

/** `osbuild audit ls`: one row per entry, oldest first. */
export function auditListTable(records: readonly AuditRecord[]): string {
  if (records.length === 0) return 'No audit entries.\n';
  return renderTable(
    ['SEQ', 'AT', 'ACTOR', 'ACTION', 'TARGET', 'RESULT'],
    records.map((r) => [String(r.seq), r.at, r.actor, r.action, cell(r.target), r.result]),
  );
}

/** `osbuild audit verify` when the log is intact. */
export function auditVerifiedText(file: string, v: Extract<AuditVerifyResult, { ok: true }>): string {
  return `${file}: intact, ${v.entries} entr${v.entries === 1 ? 'y' : 'ies'}, last hash ${v.lastHash}\n`;
}
