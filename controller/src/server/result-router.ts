import { type CommandReport, type CommandResult, isCommandResult } from '@osbuild/shared';
import { type CommandOwner, ownerOfCommandId } from '../lifecycle/command-ids.js';

/** One owner's intake of reports on its commands; false when it does not know the id. */
export type ReportOwner = (nodeId: string, report: CommandReport) => boolean;

/**
 * Hands each report (ack, progress, result) to exactly one owner, chosen by the id's prefix
 * (lifecycle/command-ids.ts). A result nobody owns, or whose owner does not know it, is
 * recorded as ignored; acks and progress of unknown ids are dropped.
 */
export function makeResultRouter(deps: {
  owners: { [O in CommandOwner]?: ReportOwner };
  ignored(nodeId: string, result: CommandResult): void;
}): (nodeId: string, report: CommandReport) => void {
  return (nodeId, report) => {
    const owner = ownerOfCommandId(report.id);
    const handle = owner ? deps.owners[owner] : undefined;
    if (handle?.(nodeId, report)) return;
    if (isCommandResult(report)) deps.ignored(nodeId, report);
  };
}

/** Wrap an owner that takes results only (plan steps, kube operations): acks are accepted and dropped. */
export function resultsOnly(onResult: (nodeId: string, result: CommandResult) => boolean): ReportOwner {
  return (nodeId, report) => (isCommandResult(report) ? onResult(nodeId, report) : true);
}
