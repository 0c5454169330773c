import {
  type CommandReport,
  type CommandResult,
  commandResultSchema,
  PROTOCOL_VERSION,
} from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { COMMAND_ID_PREFIXES, ownerOfCommandId } from '../../src/lifecycle/command-ids.js';
import { makeResultRouter, resultsOnly } from '../../src/server/result-router.js';

const result = (id: string): CommandResult =>
  commandResultSchema.parse({
    v: PROTOCOL_VERSION,
    id,
    outcome: 'succeeded',
    exitCode: 0,
    error: null,
    outputTail: '',
    startedAt: null,
    finishedAt: '2026-12-03T12:00:00.000Z',
  });

function setup() {
  const seen: string[] = [];
  const route = makeResultRouter({
    owners: {
      operator: (_n, r) => {
        seen.push(`operator:${r.id}`);
        return r.id !== 'cmd-unknown';
      },
      plan: resultsOnly((_n, r) => {
        seen.push(`plan:${r.id}`);
        return true;
      }),
      kube: resultsOnly((_n, r) => {
        seen.push(`kube:${r.id}`);
        return true;
      }),
    },
    ignored: (_n, r) => seen.push(`ignored:${r.id}`),
  });
  return { route, seen };
}

describe('result router', () => {
  it('names each owner by one prefix', () => {
    expect(ownerOfCommandId(`${COMMAND_ID_PREFIXES.operator}1`)).toBe('operator');
    expect(ownerOfCommandId('run-abc-2-1')).toBe('plan');
    expect(ownerOfCommandId('kube-op-9')).toBe('kube');
    expect(ownerOfCommandId('bogus')).toBeNull();
  });

  it('hands each result to exactly one owner', () => {
    const { route, seen } = setup();
    route('n1', result('cmd-00000001'));
    route('n1', result('run-x-0-1'));
    route('n1', result('kube-op-0002'));
    expect(seen).toEqual(['operator:cmd-00000001', 'plan:run-x-0-1', 'kube:kube-op-0002']);
  });

  it('records a result nobody owns, or whose owner does not know it, as ignored', () => {
    const { route, seen } = setup();
    route('n1', result('bogus-id'));
    route('n1', result('cmd-unknown'));
    expect(seen).toEqual(['ignored:bogus-id', 'operator:cmd-unknown', 'ignored:cmd-unknown']);
  });

  it('drops acks for owners that take results only, and acks nobody owns', () => {
    const { route, seen } = setup();
    const ack = (id: string) => ({ v: 1, type: 'ack', id, bootId: 'b' }) as unknown as CommandReport;
    route('n1', ack('run-x-0-1'));
    route('n1', ack('bogus'));
    expect(seen).toEqual([]);
  });
});
