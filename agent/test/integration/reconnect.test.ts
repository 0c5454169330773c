import type { Hello } from '@osbuild/shared';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentHandle } from '../../src/index.js';
import { startFixtureAgent } from '../support/agent.js';
import { startBroker, type TestBroker } from '../support/broker.js';
import { FakeController } from '../support/fake-controller.js';

describe('broker restarts', () => {
  let broker: TestBroker | undefined;
  let fc: FakeController | undefined;
  let agent: AgentHandle | undefined;

  afterEach(async () => {
    await agent?.stop();
    await fc?.close();
    await broker?.close();
  });

  it('reconnects with backoff and says hello again when the broker comes back', async () => {
    broker = await startBroker();
    const port = broker.port;
    fc = await FakeController.connect(broker.url);
    ({ agent } = await startFixtureAgent(broker.url, 'pi5-c'));
    const id = agent.nodeId;
    await fc.waitFor((s) => (s.kind === 'hello' && s.nodeId === id ? s : undefined));
    await fc.close();
    await broker.close();
    broker = undefined;
    // Down for a while: several failed attempts with backoff.
    await new Promise((r) => setTimeout(r, 700));
    broker = await startBroker(port);
    fc = await FakeController.connect(broker.url);
    const hello = await fc.waitFor((s) =>
      s.kind === 'hello' && s.nodeId === id ? (s.payload as Hello) : undefined,
    );
    expect(hello.seq).toBeGreaterThan(0);
    expect(hello.bootSeq).toBe(1);
    expect(agent.stats().reconnects).toBeGreaterThanOrEqual(1);
  });

  it('starts while the broker is down and connects once it appears', async () => {
    const probe = await startBroker();
    const port = probe.port;
    await probe.close();
    ({ agent } = await startFixtureAgent(`mqtt://127.0.0.1:${port}`, 'pi5-b'));
    expect(agent.nodeId).toBe('pi-10000000000000a2');
    await new Promise((r) => setTimeout(r, 300));
    broker = await startBroker(port);
    fc = await FakeController.connect(broker.url);
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
  });
});
