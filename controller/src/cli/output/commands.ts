import type { CommandView, EventView, LogLineView } from '@osbuild/shared';
import type { NodeOutcome } from '../fleet/waves.js';
import { cell, renderKeyValue, renderTable } from './table.js';
import { formatAge, formatTime } from './time.js';

/** One progress line of a rollout, e.g. `w-01  cmd-1234  accepted  the agent accepted it`. */
export function progressLine(name: string, c: CommandView): string {
  return `${name}: ${c.state} (${c.id}) ${c.reason}\n`;
}

/** The summary after a rollout: one row per target. */
export function rolloutTable(outcomes: readonly NodeOutcome[]): string {
  return renderTable(
    ['NODE', 'COMMAND', 'STATE', 'REASON'],
    outcomes.map((o) => {
      if (o.status === 'skipped')
        return [o.name, '-', 'skipped', 'not started: an earlier node did not succeed'];
      if (o.status === 'refused') return [o.name, '-', 'refused', o.message];
      const state = o.status === 'still-running' ? `${o.command.state} (still running)` : o.command.state;
      return [o.name, o.command.id, state, o.command.reason];
    }),
  );
}

/** `commands ls`. */
export function commandListTable(list: readonly CommandView[], now: Date): string {
  if (list.length === 0) return 'No commands.\n';
  return renderTable(
    ['ID', 'ACTION', 'NODE', 'STATE', 'CREATED', 'REASON'],
    list.map((c) => [
      c.id,
      c.action === 'run' ? `run ${c.script ?? ''}` : c.action,
      c.name,
      c.state,
      formatAge(c.createdAt, now),
      c.reason,
    ]),
  );
}

/** `commands show`. */
export function commandDetailText(c: CommandView, now: Date): string {
  const text = renderKeyValue([
    ['ID', c.id],
    ['Action', c.action],
    ['Node', `${c.name} (${c.nodeId})`],
    ['State', c.state],
    ['Reason', c.reason],
    ['Script', cell(c.script ? [c.script, ...c.args].join(' ') : null)],
    ['Idempotency key', cell(c.idempotencyKey)],
    ['Force', c.force ? 'yes (drain skipped)' : 'no'],
    ['Created', `${formatTime(c.createdAt, now)} by ${c.createdBy}`],
    ['Expires if queued', c.expiresAt],
    ['Sent', formatTime(c.sentAt, now)],
    ['Deadline', cell(c.deadline)],
    ['Acknowledged', formatTime(c.ackedAt, now)],
    ['Finished', formatTime(c.finishedAt, now)],
    ['Deliveries', String(c.deliveries)],
    ['Boot id before', cell(c.bootIdBefore)],
    ['Boot id after', cell(c.bootIdAfter)],
    ['Exit code', cell(c.exitCode)],
  ]);
  return c.outputTail
    ? `${text}\nOutput (tail):\n${c.outputTail}${c.outputTail.endsWith('\n') ? '' : '\n'}`
    : text;
}

/** One event line: `2026-...Z  w-01  phase  {"from":...}`. */
export function eventLine(e: EventView): string {
  return `${e.at}  ${e.name ?? '-'}  ${e.type}  ${JSON.stringify(e.data)}\n`;
}

/** One log line; command output is printed as it came, agent lines with their level. */
export function logLine(l: LogLineView): string {
  const text = l.text.endsWith('\n') ? l.text : `${l.text}\n`;
  if (l.source === 'agent') return `${l.at} [agent ${l.stream}] ${text}`;
  return text;
}
