import { type CommandView, type EventView, eventView, type LogLineView } from '@osbuild/shared';
import type { CommandRecord } from '../store/command-store.js';
import type { EventRow } from '../store/event-store.js';
import type { LogRow } from '../store/log-store.js';

/** A stored command as operators see it. */
export function toCommandView(row: CommandRecord, name: string): CommandView {
  return {
    id: row.id,
    action: row.action,
    name,
    nodeId: row.node_id,
    state: row.state,
    reason: row.reason,
    idempotencyKey: row.idempotency_key,
    script: row.script,
    args: row.args,
    force: row.force,
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
  return { id: row.id, at: row.at, name, nodeId: row.node_id, type: row.type, data: eventData(row.data) };
}

/** The event's JSON object; an unreadable one shows as empty rather than failing the listing. */
function eventData(text: string): EventView['data'] {
  try {
    const parsed = eventView.shape.data.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
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
