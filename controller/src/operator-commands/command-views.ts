import type { CommandView, EventView, LogLineView } from '@osbuild/shared';
import type { CommandRow, LogRow } from '../store/command-store.js';
import type { EventRow } from '../store/event-store.js';

/** A stored command as operators see it. */
export function toCommandView(row: CommandRow, name: string): CommandView {
  return {
    id: row.id,
    action: row.action,
    name,
    nodeId: row.node_id,
    state: row.state,
    reason: row.reason,
    idempotencyKey: row.idempotency_key,
    script: row.script,
    args: JSON.parse(row.args) as string[],
    force: row.force === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    deadline: row.deadline,
    sentAt: row.sent_at,
    ackedAt: row.acked_at,
    finishedAt: row.finished_at,
    bootIdBefore: row.boot_id_before,
    bootIdAfter: row.boot_id_after,
    deliveries: row.deliveries,
    exitCode: row.exit_code,
    outputTail: row.output_tail,
  };
}

/** A stored event as operators see it. */
export function toEventView(row: EventRow, name: string | null): EventView {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(row.data) as Record<string, unknown>;
  } catch {
    data = {};
  }
  return { id: row.id, at: row.at, name, nodeId: row.node_id, type: row.type, data };
}

/** A stored output line as operators see it. */
export function toLogLineView(row: LogRow): LogLineView {
  return {
    id: row.id,
    at: row.at,
    source: row.source,
    cmdId: row.cmd_id,
    stream: row.stream,
    text: row.text,
  };
}
