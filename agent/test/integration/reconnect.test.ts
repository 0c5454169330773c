import type { Hello } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('broker restarts', () => {
  const h = useAgentHarness();

  it('reconnects with backoff and says hello again when the broker comes back', async () => {
    const { agent } = await h.startAgent('pi5-c');
    const id = agent.nodeId;
    await h.fc.waitFor((s) => (s.kind === 'hello' && s.nodeId === id ? s : undefined));
    await h.stopBroker();
    // Down for a while: several failed attempts with backoff.
    await new Promise((r) => setTimeout(r, 700));
    await h.startBroker();
    const fc = h.fc;
    const hello = await fc.waitFor((s) =>
      s.kind === 'hello' && s.nodeId === id ? (s.payload as Hello) : undefined,
    );
    expect(hello.seq).toBeGreaterThan(0);
    expect(hello.bootSeq).toBe(1);
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('starts while the broker is down and connects once it appears', async () => {
    await h.stopBroker();
    const { agent } = await h.startAgent('pi5-b');
    expect(agent.nodeId).toBe('pi-10000000000000a2');
    await new Promise((r) => setTimeout(r, 300));
    await h.startBroker();
    const fc = h.fc;
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
  });
});
