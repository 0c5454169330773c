// Human views of the nodes.* answers; json and yaml print the answers as they are.
import type { NodeDetail, NodeSummary, NodeWhy, StepView } from '@osbuild/shared';
import { cell, renderKeyValue, renderTable } from './table.js';
import { telemetryText } from './telemetry.js';
import { formatAge, formatTime } from './time.js';

/** `nodes ls`: one row per node. */
export function nodeListTable(nodes: readonly NodeSummary[], now: Date): string {
  if (nodes.length === 0) return 'No nodes yet.\n';
  return renderTable(
    ['NAME', 'NODE-ID', 'ROLE', 'IP', 'PHASE', 'ONLINE', 'LAST-SEEN', 'HEALTH', 'REASON'],
    nodes.map((n) => [
      n.name,
      n.nodeId,
      cell(n.role),
      cell(n.ip),
      n.phase,
      n.online ? 'yes' : 'no',
      formatAge(n.lastSeen, now),
      n.conditions.length === 0 ? 'ok' : n.conditions.map((c) => c.type).join(','),
      cell(n.reason),
    ]),
  );
}

/** `nodes show`: identity and state as key/value pairs, latest telemetry, then the run's steps. */
export function nodeDetailText(n: NodeDetail, now: Date): string {
  const head = renderKeyValue([
    ['Name', n.name],
    ['Node ID', n.nodeId],
    ['Hostname', cell(n.hostname)],
    ['Role', cell(n.role)],
    ['IP', cell(n.ip)],
    ['Phase', `${n.phase} since ${formatTime(n.phaseSince, now)}`],
    ['Reason', cell(n.reason)],
    ['Online', `${n.online ? 'yes' : 'no'}, last seen ${formatAge(n.lastSeen, now)}`],
    ['MAC', cell(n.mac)],
    ['MACs', n.macs.length > 0 ? n.macs.join(', ') : '-'],
    ['Serial', cell(n.serial)],
    ['Model', cell(n.model)],
    ['Boot source', cell(n.bootSource)],
    ['Boot ID', cell(n.bootId)],
    ['Agent', cell(n.agentVersion)],
    ['Image', cell(n.imageVersion)],
    ['First seen', formatTime(n.firstSeen, now)],
  ]).concat(telemetryText(n.telemetry, now));
  if (!n.run) return `${head}\nNo run.\n`;
  const run = `Run ${n.run.id}: ${n.run.state}, created ${formatTime(n.run.createdAt, now)}\n`;
  if (n.run.steps.length === 0) return `${head}\n${run}`;
  return `${head}\n${run}${stepTable(n.run.steps)}`;
}

/** Steps of a run, one row each. */
export function stepTable(steps: readonly StepView[]): string {
  return renderTable(
    ['#', 'KIND', 'STATE', 'ATTEMPT', 'EXIT', 'STARTED', 'FINISHED', 'ERROR'],
    steps.map((s) => [
      String(s.index),
      s.kind,
      s.state,
      String(s.attempt),
      cell(s.exitCode),
      cell(s.startedAt),
      cell(s.finishedAt),
      cell(s.error),
    ]),
  );
}

/** `nodes why`: a few sentences an operator can act on. */
export function nodeWhyText(w: NodeWhy): string {
  const lines = [
    `${w.name} (${w.nodeId}) is ${w.phase}${w.reason ? `: ${w.reason}` : ''} (${w.online ? 'online' : 'offline'}).`,
    `Waiting for: ${w.waitingFor}`,
  ];
  for (const c of w.conditions) lines.push(`Condition: ${c.type} (${c.severity}): ${c.reason}`);
  if (w.currentStep) lines.push(`Current step: ${describeStep(w.currentStep)}`);
  if (w.failedStep) {
    lines.push(`Failed step: ${describeStep(w.failedStep)}`);
    if (w.failedStep.error) lines.push(`Error: ${w.failedStep.error}`);
    const tail = w.failedStep.outputTail.trimEnd();
    if (tail) lines.push('Output (tail):', ...tail.split('\n').map((l) => `  ${l}`));
  }
  const c = w.lastCommand;
  if (c) lines.push(`Last command: ${c.id} ${c.action} ${c.state}: ${c.reason}`);
  return `${lines.join('\n')}\n`;
}

function describeStep(s: StepView): string {
  const exit = s.exitCode === null ? '' : `, exit code ${s.exitCode}`;
  return `#${s.index} ${s.kind} (${s.state}, attempt ${s.attempt}${exit})`;
}

/** `nodes approve`: what the node became. */
export function approvedText(n: NodeSummary): string {
  return `Approved ${n.nodeId} as ${n.hostname ?? n.name}${n.role ? ` (${n.role})` : ''}; phase ${n.phase}.\n`;
}

/** One line confirming a retry. */
export function retriedText(n: NodeSummary): string {
  return `Retrying ${n.name}; phase ${n.phase}: ${n.reason}.\n`;
}
