// The relay that lets the Kubernetes module unblock a node without holding the provisioner.
import { describe, expect, it } from 'vitest';
import { NodeAdvance } from '../../src/lifecycle/advance-relay.js';

describe('NodeAdvance', () => {
  it('hands each unblocked node to whoever registered; before that nothing happens', () => {
    const relay = new NodeAdvance();
    relay.nodeUnblocked('n-0');
    const advanced: string[] = [];
    relay.register((nodeId) => advanced.push(nodeId));
    relay.nodeUnblocked('n-1');
    relay.nodeUnblocked('n-2');
    expect(advanced).toEqual(['n-1', 'n-2']);
  });
});
