import type { NodePhase } from '@osbuild/shared';
import { nodePhase } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  IllegalPhaseTransition,
  inPhaseGroup,
  NODE_PHASE_TRANSITIONS,
  type NodePhaseRecords,
  NodePhases,
  phaseTransitionAllowed,
} from '../../src/lifecycle/node-phase.js';

/** The phase owner's records in memory: what a unit test of a lifecycle needs instead of SQLite. */
function memoryRecords(initial: Record<string, NodePhase>) {
  const phases = new Map(Object.entries(initial).map(([id, p]) => [id, { phase: p, reason: '' }]));
  const events: Array<{ nodeId: string | null; type: string; data: Record<string, unknown> }> = [];
  const records: NodePhaseRecords = {
    nodes: {
      get: (id) => phases.get(id),
      setPhase: (id, phase, reason) => phases.set(id, { phase, reason }),
    },
    events: { append: (nodeId, type, data) => events.push({ nodeId, type, data }) },
    tx: (fn) => fn(),
  };
  return { records, phases, events };
}

const clock = { now: () => new Date('2026-12-03T12:00:00Z') };
const logger = pino({ level: 'silent' });

describe('node phase owner', () => {
  it('has a row for every phase, naming only phases', () => {
    for (const p of nodePhase.options) {
      for (const to of NODE_PHASE_TRANSITIONS[p]) expect(nodePhase.options).toContain(to);
    }
    expect(Object.keys(NODE_PHASE_TRANSITIONS).sort()).toEqual([...nodePhase.options].sort());
  });

  it('writes an allowed move with its reason and records a phase event', () => {
    const m = memoryRecords({ n1: 'provisioning' });
    new NodePhases({ records: m.records, clock, logger }).move('n1', 'provisioned', 'plan complete');
    expect(m.phases.get('n1')).toEqual({ phase: 'provisioned', reason: 'plan complete' });
    expect(m.events).toEqual([
      {
        nodeId: 'n1',
        type: 'phase',
        data: { from: 'provisioning', to: 'provisioned', reason: 'plan complete' },
      },
    ]);
  });

  it('a new reason in the same phase is written without a phase event', () => {
    const m = memoryRecords({ n1: 'provisioning' });
    new NodePhases({ records: m.records, clock, logger }).move('n1', 'provisioning', 'step 2 attempt 1');
    expect(m.phases.get('n1')?.reason).toBe('step 2 attempt 1');
    expect(m.events).toEqual([]);
  });

  it('refuses an illegal move with both phases in the message and writes nothing', () => {
    const m = memoryRecords({ n1: 'pending' });
    const phases = new NodePhases({ records: m.records, clock, logger });
    expect(() => phases.move('n1', 'ready', 'x')).toThrow(IllegalPhaseTransition);
    expect(() => phases.move('n1', 'ready', 'x')).toThrow(
      'node n1: illegal phase transition pending -> ready',
    );
    expect(m.phases.get('n1')?.phase).toBe('pending');
    expect(m.events).toEqual([]);
  });

  it('ignores unknown nodes', () => {
    const m = memoryRecords({});
    new NodePhases({ records: m.records, clock, logger }).move('ghost', 'pending', 'x');
    expect(m.phases.size).toBe(0);
  });

  it('lets every phase start over at discovered, and a failed node resume provisioning', () => {
    for (const p of nodePhase.options) expect(phaseTransitionAllowed(p, 'discovered')).toBe(true);
    expect(phaseTransitionAllowed('failed', 'provisioning')).toBe(true);
    expect(phaseTransitionAllowed('reprovisioning', 'ready')).toBe(false);
  });

  it('defines the phase groups once', () => {
    expect(inPhaseGroup('unsettled', 'matched')).toBe(true);
    expect(inPhaseGroup('unsettled', 'provisioning')).toBe(false);
    expect(inPhaseGroup('joined', 'ready')).toBe(true);
    expect(inPhaseGroup('reprovisionable', 'failed')).toBe(true);
    expect(inPhaseGroup('reprovisionable', 'provisioning')).toBe(false);
  });
});
