import { type Hello, type NodeStatus, topics } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';
import { FakeController } from '../support/fake-controller.js';

describe('agent on connect (fixture seam)', () => {
  const h = useAgentHarness();

  it('publishes a retained online status and a hello with identity, seq and bootSeq', async () => {
    const { fc } = h;
    const { agent } = await h.startAgent('pi5-a');
    expect(agent.nodeId).toBe('pi-10000000000000a1');
    const status = await fc.waitForStatus(agent.nodeId, true);
    expect(status.bootId).toBe('6f1c2a3e-0a11-4c6b-9d2e-5a0000000a01');
    const hello = await fc.waitFor((s) => (s.kind === 'hello' ? (s.payload as Hello) : undefined));
    expect(hello).toMatchObject({ v: 1, seq: 0, bootSeq: 1, provisioned: null });
    expect(hello.identity.nodeId).toBe('pi-10000000000000a1');
    expect(hello.identity.nics[0]).toEqual({ name: 'eth0', mac: 'dc:a6:32:00:00:0a' });

    // Retained: a controller connecting later still sees the node online.
    const late = await FakeController.connect(h.url);
    try {
      const seen = await late.waitFor((s) => (s.kind === 'status' ? s : undefined));
      expect(seen.retained).toBe(true);
      expect((seen.payload as NodeStatus).online).toBe(true);
    } finally {
      await late.close();
    }
  });

  it('says hello again when the retained controller status shows a new startedAt', async () => {
    const { fc } = h;
    await fc.client.publishAsync(
      topics.controllerStatus(),
      JSON.stringify({
        v: 1,
        online: true,
        at: new Date().toISOString(),
        startedAt: '2026-11-25T10:00:00.000Z',
      }),
      { qos: 1, retain: true },
    );
    const { agent } = await h.startAgent('pi5-b');
    const id = agent.nodeId;
    await fc.waitFor((s) => (s.kind === 'hello' && s.nodeId === id ? s : undefined));
    // Give the retained baseline time to arrive: it must not cause a second hello.
    await new Promise((r) => setTimeout(r, 300));
    expect(fc.hellos(id)).toHaveLength(1);

    await fc.client.publishAsync(
      topics.controllerStatus(),
      JSON.stringify({
        v: 1,
        online: true,
        at: new Date().toISOString(),
        startedAt: '2026-11-25T11:00:00.000Z',
      }),
      { qos: 1, retain: true },
    );
    await fc.waitFor((s) =>
      s.kind === 'hello' && s.nodeId === id && (s.payload as Hello).seq > 0 ? s : undefined,
    );
    const hellos = fc.hellos(id);
    expect(hellos).toHaveLength(2);
    expect(hellos[1]?.seq).toBeGreaterThan(hellos[0]?.seq ?? 0);
    expect(agent.stats().rejectedMessages).toBe(0);
  });

  it('publishes offline status on a clean stop', async () => {
    const { fc } = h;
    const { agent } = await h.startAgent('pi5-c');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const from = fc.seen.length;
    await agent.stop();
    const off = await fc.waitForStatus(id, false, from);
    expect(off.online).toBe(false);
  });
});
