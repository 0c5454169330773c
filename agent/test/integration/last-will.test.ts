import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('last will', () => {
  const h = useAgentHarness();

  it('shows the node offline when its socket dies, then online again after the reconnect', async () => {
    const { broker, fc } = h;
    const { agent } = await h.startAgent('pi5-a');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const from = fc.seen.length;
    expect(broker.dropClient(`agent-${id}`)).toBe(true);
    const will = await fc.waitForStatus(id, false, from);
    expect(will).toMatchObject({ v: 1, online: false, bootId: '6f1c2a3e-0a11-4c6b-9d2e-5a0000000a01' });
    const seenWill = fc.seen.findIndex((s, i) => i >= from && s.kind === 'status');
    await fc.waitForStatus(id, true, seenWill + 1);
    expect(agent.stats().reconnects).toBe(1);
  });
});
