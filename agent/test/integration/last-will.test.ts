import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentHandle } from '../../src/index.js';
import { startFixtureAgent } from '../support/agent.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { FakeController } from '../support/fake-controller.js';

describe('last will', () => {
  let broker: TestBroker;
  let fc: FakeController;
  let agent: AgentHandle | undefined;

  beforeEach(async () => {
    broker = await startBroker();
    fc = await FakeController.connect(broker.url);
  });
  afterEach(async () => {
    await agent?.stop();
    await fc.close();
    await broker.close();
  });

  it('shows the node offline when its socket dies, then online again after the reconnect', async () => {
    ({ agent } = await startFixtureAgent(broker.url, 'pi5-a'));
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
