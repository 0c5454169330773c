import { type Inventory, inventorySchema } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { matchNode } from '../../src/provisioning/matcher.js';

const inventory: Inventory = inventorySchema.parse({
  nodes: [
    { mac: 'dc:a6:32:00:00:0a', hostname: 'cp-01', role: 'control-plane', ip: '10.0.10.10' },
    { mac: 'dc:a6:32:00:00:0b', serial: '10000000000000a2', hostname: 'w-01', role: 'worker' },
    { serial: '10000000000000a3', hostname: 'w-02', role: 'worker' },
  ],
});
const nobody = () => null;
const id = (macs: string[], serial: string | null, nodeId = 'pi-test0001') => ({ nodeId, macs, serial });

describe('matchNode', () => {
  it('matches by MAC first, on any physical NIC', () => {
    expect(
      matchNode(id(['dc:a6:32:00:00:99', 'dc:a6:32:00:00:0a'], null), inventory, null, nobody),
    ).toMatchObject({
      kind: 'matched',
      target: { hostname: 'cp-01', role: 'control-plane', by: 'mac' },
    });
  });

  it('falls back to the serial when no MAC is known', () => {
    expect(matchNode(id(['dc:a6:32:00:00:99'], '10000000000000a3'), inventory, null, nobody)).toMatchObject({
      kind: 'matched',
      target: { hostname: 'w-02', by: 'serial' },
    });
  });

  it('leaves an unknown board pending with reason unknown', () => {
    expect(matchNode(id(['dc:a6:32:00:00:99'], '10000000000000ff'), inventory, null, nobody)).toEqual({
      kind: 'pending',
      reason: 'unknown',
      detail: 'no inventory entry has MAC dc:a6:32:00:00:99 or serial 10000000000000ff',
    });
  });

  it('never guesses when MAC and serial point at different entries', () => {
    expect(matchNode(id(['dc:a6:32:00:00:0a'], '10000000000000a3'), inventory, null, nobody)).toMatchObject({
      kind: 'pending',
      reason: 'identity-mismatch',
      detail: 'MAC dc:a6:32:00:00:0a is cp-01 but serial 10000000000000a3 is w-02',
    });
  });

  it('refuses a MAC whose inventory entry names another serial', () => {
    expect(matchNode(id(['dc:a6:32:00:00:0b'], '10000000000000ee'), inventory, null, nobody)).toMatchObject({
      kind: 'pending',
      reason: 'identity-mismatch',
    });
  });

  it('reports a conflict when another node already holds the entry', () => {
    expect(matchNode(id(['dc:a6:32:00:00:0a'], null), inventory, null, () => 'pi-other0001')).toEqual({
      kind: 'pending',
      reason: 'conflict',
      detail: 'cp-01 is already held by node pi-other0001',
    });
    // ...but a node holding its own entry is simply matched again.
    expect(matchNode(id(['dc:a6:32:00:00:0a'], null), inventory, null, () => 'pi-test0001').kind).toBe(
      'matched',
    );
  });

  it('honours an operator approval, inside or outside the inventory', () => {
    expect(
      matchNode(id(['dc:a6:32:00:00:99'], null), inventory, { hostname: 'w-01', role: null }, nobody),
    ).toMatchObject({
      kind: 'matched',
      target: { hostname: 'w-01', role: 'worker', by: 'approval' },
    });
    expect(
      matchNode(id([], null), inventory, { hostname: 'extra-01', role: 'worker' }, nobody),
    ).toMatchObject({
      kind: 'matched',
      target: { hostname: 'extra-01', role: 'worker', entry: null },
    });
  });
});
