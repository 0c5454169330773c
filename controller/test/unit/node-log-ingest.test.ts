// Node log ingestion with a hand-written store port: which events become lines, and of whom.
import type { NodeEvent } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { logLineOf, NodeLogIngest } from '../../src/logs/node-log-ingest.js';
import type { LogRow } from '../../src/store/log-store.js';

const AT = '2026-12-01T10:00:00.000Z';

describe('node log lines', () => {
  it('keeps command output and agent log lines, and nothing for a command start', () => {
    const output: NodeEvent = {
      v: 1,
      seq: 1,
      at: AT,
      type: 'command-output',
      cmdId: 'cmd-1',
      stream: 'stderr',
      text: 'oops',
    };
    expect(logLineOf('n1', output, AT)).toEqual({
      node_id: 'n1',
      at: AT,
      source: 'command',
      cmd_id: 'cmd-1',
      stream: 'stderr',
      text: 'oops',
    });
    const log: NodeEvent = { v: 1, seq: 2, at: AT, type: 'log', level: 'warn', msg: 'disk slow' };
    expect(logLineOf('n1', log, AT)).toMatchObject({
      source: 'agent',
      cmd_id: null,
      stream: 'warn',
      text: 'disk slow',
    });
    const started: NodeEvent = { v: 1, seq: 3, at: AT, type: 'command-started', cmdId: 'cmd-1' };
    expect(logLineOf('n1', started, AT)).toBeNull();
  });

  it('records lines of known nodes only', () => {
    const lines: Array<Omit<LogRow, 'id'>> = [];
    const ingest = new NodeLogIngest({
      store: {
        nodes: { get: (id) => (id === 'n1' ? {} : undefined) },
        logs: { append: (row) => lines.push(row) },
      },
      clock: { now: () => new Date(AT) },
    });
    const event: NodeEvent = { v: 1, seq: 4, at: AT, type: 'log', level: 'info', msg: 'hi' };
    ingest.onNodeEvent('n1', event);
    ingest.onNodeEvent('gone', event);
    expect(lines.map((l) => l.node_id)).toEqual(['n1']);
  });
});
