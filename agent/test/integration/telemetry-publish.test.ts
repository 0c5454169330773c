import { telemetrySchema, topics } from '@osbuild/shared';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startAgent } from '../../src/index.js';
import { type AgentHarness, useAgentHarness } from '../support/agent-harness.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

/** A watcher on every node's telemetry topic, and an agent on pi5-a (enrolled or still claiming). */
async function setup(h: AgentHarness, enrolled: boolean) {
  const watcher = await mqtt.connectAsync(h.url, { clientId: 'telemetry-watcher', reconnectPeriod: 0 });
  cleanups.push(() => watcher.endAsync(true));
  const seen: mqtt.IPublishPacket[] = [];
  watcher.on('message', (_topic, _payload, packet) => seen.push(packet));
  await watcher.subscribeAsync(topics.allNodes('telemetry'), { qos: 1 });
  const { agent } = await h.startAgent('pi5-a', {
    enrolled,
    ...(enrolled ? {} : { claimSecret: 'c'.repeat(43), reclaimMs: 500 }),
    telemetryIntervalSec: 1,
  });
  return { agent, seen };
}

describe('telemetry publishing', () => {
  const h = useAgentHarness();

  it('an enrolled node publishes valid samples at QoS 0 on its own telemetry topic, seq increasing', async () => {
    const { agent, seen } = await setup(h, true);
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(seen.length).toBeGreaterThanOrEqual(2);
    const [a, b] = seen;
    expect(a?.topic).toBe(topics.node(agent.nodeId, 'telemetry'));
    expect(a?.qos).toBe(0);
    const first = telemetrySchema.parse(JSON.parse(a?.payload.toString() ?? ''));
    const second = telemetrySchema.parse(JSON.parse(b?.payload.toString() ?? ''));
    expect(first.socTempC).toBe(52.65);
    expect(second.seq).toBeGreaterThan(first.seq);
  });

  it('a board still enrolling with the claim secret publishes no telemetry', async () => {
    const { seen } = await setup(h, false);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(seen).toEqual([]);
  });
});

describe('telemetry interval option', () => {
  it('refuses an interval outside 1-3600 s', async () => {
    await expect(
      startAgent({
        controllerUrl: 'mqtt://127.0.0.1:1',
        hostRoot: await copyHostFixture('pi5-a'),
        logger: pino({ level: 'silent' }),
        telemetryIntervalSec: 0,
      }),
    ).rejects.toThrow(/telemetry interval must be 1 to 3600 seconds/);
  });
});
