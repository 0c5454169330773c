import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { telemetrySchema, topics } from '@osbuild/shared';
import mqtt from 'mqtt';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { copyHostFixture } from '../../../test/support/host-root.js';
import { type AgentHandle, startAgent } from '../../src/index.js';
import { giveCredential } from '../support/agent.js';
import { startBroker, type TestBroker } from '../support/broker.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function setup(
  enrolled: boolean,
): Promise<{ broker: TestBroker; agent: AgentHandle; seen: mqtt.IPublishPacket[] }> {
  const broker = await startBroker();
  cleanups.push(() => broker.close());
  const watcher = await mqtt.connectAsync(broker.url, { clientId: 'telemetry-watcher', reconnectPeriod: 0 });
  cleanups.push(() => watcher.endAsync(true));
  const seen: mqtt.IPublishPacket[] = [];
  watcher.on('message', (_topic, _payload, packet) => seen.push(packet));
  await watcher.subscribeAsync(topics.allNodes('telemetry'), { qos: 1 });
  const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
  if (enrolled) await giveCredential(stateDir);
  const agent = await startAgent({
    controllerUrl: broker.url,
    hostRoot: await copyHostFixture('pi5-a'),
    stateDir,
    ...(enrolled ? {} : { claimSecret: 'c'.repeat(43), reclaimMs: 500 }),
    logger: pino({ level: process.env.AGENT_TEST_LOG ?? 'silent' }),
    reconnect: { baseMs: 50, capMs: 400 },
    telemetryIntervalSec: 1,
  });
  cleanups.push(() => agent.stop());
  return { broker, agent, seen };
}

describe('telemetry publishing', () => {
  it('an enrolled node publishes valid samples at QoS 0 on its own telemetry topic, seq increasing', async () => {
    const { agent, seen } = await setup(true);
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
    const { seen } = await setup(false);
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
