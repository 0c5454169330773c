import {
  type CommandResult,
  commandReportSchema,
  ERROR_TEXT_MAX,
  EVENT_TEXT_MAX,
  LOG_MSG_MAX,
  nodeEventSchema,
  OUTPUT_TAIL_MAX,
} from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { nodeTopics } from '../../src/session/node-topics.js';
import { Outbound } from '../../src/session/outbound.js';
import { FakeConnection, until } from '../support/fake-mqtt.js';

function outbound() {
  const reported: string[] = [];
  const conn = new FakeConnection();
  const out = new Outbound({
    topics: nodeTopics('pi-10000000000000a1'),
    journal: { markReported: async (id: string) => void reported.push(id) },
    logger: pino({ level: 'silent' }),
    now: () => new Date('2026-01-01T00:00:00.000Z'),
    bootId: () => 'boot-1',
  });
  out.attach(conn, 'node');
  return { out, conn, reported };
}

describe('outbound messages stay within the schema bounds (fake transport)', () => {
  it('splits a long output chunk into events the controller accepts, losing nothing', async () => {
    const { out, conn } = outbound();
    const text = `${'x'.repeat(EVENT_TEXT_MAX * 2)}😀tail`;
    out.output('cmd-0123456789', 'stdout', text);
    await until(() => conn.published.length >= 3);
    const events = conn.published.map((p) => nodeEventSchema.parse(p.payload));
    const texts = events.map((e) => (e.type === 'command-output' ? e.text : ''));
    expect(texts.join('')).toBe(text);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(EVENT_TEXT_MAX);
  });

  it('shortens a long log line', async () => {
    const { out, conn } = outbound();
    out.log('warn', 'y'.repeat(LOG_MSG_MAX + 100));
    await until(() => conn.published.length === 1);
    const event = nodeEventSchema.parse(conn.published[0]?.payload);
    expect(event.type === 'log' && event.msg.length).toBe(LOG_MSG_MAX);
  });

  it('cuts a result’s error and output tail so the result is never dropped for size', async () => {
    const { out, conn, reported } = outbound();
    const result: CommandResult = {
      v: 1,
      id: 'cmd-0123456789',
      outcome: 'failed',
      exitCode: 1,
      error: 'e'.repeat(ERROR_TEXT_MAX * 2),
      outputTail: `${'o'.repeat(OUTPUT_TAIL_MAX)}the end`,
      startedAt: '2026-01-01T00:00:00.000Z',
      finishedAt: '2026-01-01T00:00:01.000Z',
    };
    out.result(result);
    await until(() => reported.length === 1);
    const sent = commandReportSchema.parse(conn.published[0]?.payload);
    expect('outcome' in sent && sent.outputTail.endsWith('the end')).toBe(true);
    expect('outcome' in sent && sent.error?.endsWith('…')).toBe(true);
  });
});
