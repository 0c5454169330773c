// The embedded broker's emitter under a burst: thousands of messages emitted while deliveries are
// held (slow subscribers), most of them with no subscriber at all — what a fleet's last wills look
// like when a switch reboots. Aedes' default emitter (concurrency 100) queues them and then
// recurses once per queued message while draining, which overflowed the stack at ~5,000.
import { describe, expect, it } from 'vitest';
import { brokerEmitter } from '../../src/broker/broker-emitter.js';

describe('broker emitter', () => {
  it('delivers a 50,000-message burst behind 500 held deliveries without overflowing the stack', async () => {
    const mq = brokerEmitter();
    const held: Array<() => void> = [];
    let slowSeen = 0;
    mq.on('osbuild/v1/node/+/telemetry', (_msg, done) => {
      slowSeen++;
      held.push(done);
    });
    let finished = 0;
    const allDone = new Promise<void>((resolve, reject) => {
      const total = 500 + 50_000;
      const cb = (err?: unknown) => {
        if (err) reject(err);
        else if (++finished === total) resolve();
      };
      for (let i = 0; i < 500; i++) mq.emit({ topic: `osbuild/v1/node/n${i}/telemetry` }, cb);
      // Wills to a topic nobody subscribes to: each delivery completes synchronously.
      for (let i = 0; i < 50_000; i++) mq.emit({ topic: `osbuild/v1/node/n${i}/will` }, cb);
    });
    expect(slowSeen).toBe(500);
    // Release the held deliveries together, as a slow subscriber catching up would.
    for (const done of held.splice(0)) done();
    await allDone;
    expect(finished).toBe(50_500);
  });

  it('still matches `a/#` against `a` as Aedes requires ([MQTT-4.7.1-3])', async () => {
    const mq = brokerEmitter();
    const seen: string[] = [];
    mq.on('osbuild/v1/node/#', (msg, done) => {
      seen.push(msg.topic);
      done();
    });
    await new Promise<void>((r) => mq.emit({ topic: 'osbuild/v1/node' }, () => r()));
    expect(seen).toEqual(['osbuild/v1/node']);
  });
});
