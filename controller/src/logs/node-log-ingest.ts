// Node output for `osbuild logs`: command and step output lines and the agent's own log lines,
// from the node's `events` topic into the store.
import type { NodeEvent } from '@osbuild/shared';
import type { Clock } from '../host/clock.js';
import type { LogRow } from '../store/log-store.js';

/** The stored line of a node event at `at`; null for events that carry no line. */
export function logLineOf(nodeId: string, event: NodeEvent, at: string): Omit<LogRow, 'id'> | null {
  switch (event.type) {
    case 'command-started':
      return null;
    case 'command-output':
      return {
        node_id: nodeId,
        at,
        source: 'command',
        cmd_id: event.cmdId,
        stream: event.stream,
        text: event.text,
      };
    case 'log':
      return { node_id: nodeId, at, source: 'agent', cmd_id: null, stream: event.level, text: event.msg };
  }
}

/** What ingestion reads and writes: the store's node and log repositories satisfy it. */
export interface NodeLogRecords {
  nodes: { get(nodeId: string): object | undefined };
  logs: { append(row: Omit<LogRow, 'id'>): void };
}

/** Records the lines nodes publish; lines of unknown nodes (removed meanwhile) are dropped. */
export class NodeLogIngest {
  constructor(private readonly deps: { store: NodeLogRecords; clock: Clock }) {}

  onNodeEvent(nodeId: string, event: NodeEvent): void {
    if (event.type === 'command-started') return;
    const { store, clock } = this.deps;
    if (!store.nodes.get(nodeId)) return;
    const line = logLineOf(nodeId, event, clock.now().toISOString());
    if (line) store.logs.append(line);
  }
}
