// What a client can make the controller write without logging in, with a real broker and real
// mqtt.js clients on 127.0.0.1: every field it offers is capped (and marked cut) in the controller
// log and the audit log, and repeated refusals from one source are summarised, not written one by
// one. The audit log stays a valid hash chain throughout.
import { readFile } from 'node:fs/promises';
import { topics } from '@osbuild/shared';
import mqtt from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { auditLogPath, readAuditLog, verifyAuditLog } from '../../src/audit/audit-log.js';
import {
  controllerSecrets,
  FIXTURE_INVENTORY,
  makeWorkspace,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

/** MQTT 3.1.1 strings carry a 16-bit length [MQTT-1.5.3]: the largest username a client can send. */
const MQTT_STRING_MAX = 65_535;
/** Bytes a log line or audit record may take, whatever the client sent (caps are 256 B/field). */
const LINE_BUDGET = 4 * 1024;
const TRUNCATED = /…\[\+\d+ bytes\]/;

async function controllerWithLog() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(s) });
  const ws = await makeWorkspace(FIXTURE_INVENTORY);
  const controller = await startTestController(ws, { plain: true, logger });
  cleanups.push(() => controller.stop());
  return { controller, lines, audit: auditLogPath(ws.dataDir) };
}

/** Try to log in; resolves with the CONNACK code (0 = accepted). */
function connack(url: string, opts: { clientId: string; username?: string; password?: string }) {
  const client = mqtt.connect(url, { ...opts, reconnectPeriod: 0, connectTimeout: 5_000 });
  return new Promise<number>((resolve) => {
    client.once('connect', () => {
      client.end(true);
      resolve(0);
    });
    client.once('error', (err: Error & { code?: number }) => {
      client.end(true);
      resolve(typeof err.code === 'number' ? err.code : -1);
    });
  });
}

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('log and audit growth without logging in', () => {
  it('caps a refused login with a 64 KiB username and client id, marked truncated', async () => {
    const { controller, lines, audit } = await controllerWithLog();
    const username = `u${'x'.repeat(MQTT_STRING_MAX - 1)}`;
    const clientId = `c${'y'.repeat(MQTT_STRING_MAX - 1)}`;
    expect(await connack(controller.mqttUrl, { clientId, username, password: 'guess' })).toBe(4);
    await controller.stop();

    const logged = lines.filter((l) => l.includes('mqtt login refused'));
    expect(logged).toHaveLength(1);
    expect(bytes(logged[0] ?? '')).toBeLessThan(LINE_BUDGET);
    const entry = JSON.parse(logged[0] ?? '{}') as { username: string; clientId: string };
    expect(entry.username).toMatch(TRUNCATED);
    expect(entry.username.startsWith('uxxx')).toBe(true);
    expect(entry.clientId).toMatch(TRUNCATED);

    const text = await readFile(audit, 'utf8');
    const refused = (await readAuditLog(audit)).filter((r) => r.action === 'login.refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]?.actor).toMatch(TRUNCATED);
    expect(refused[0]?.target).toMatch(TRUNCATED);
    for (const line of text.trim().split('\n')) expect(bytes(line)).toBeLessThan(LINE_BUDGET);
    expect(await verifyAuditLog(audit)).toMatchObject({ ok: true });
  });

  it('writes 200 refused logins from one address as one line and a summary with the count', async () => {
    const { controller, lines, audit } = await controllerWithLog();
    for (let batch = 0; batch < 10; batch++) {
      const codes = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          connack(controller.mqttUrl, {
            clientId: `guess-${batch}-${i}`,
            username: `user-${batch}-${i}-${'z'.repeat(2_000)}`,
            password: 'wrong',
          }),
        ),
      );
      expect(codes.every((c) => c === 4)).toBe(true);
    }
    await controller.stop();

    const logged = lines.filter((l) => /mqtt login refused|further refused logins/.test(l));
    expect(logged).toHaveLength(2);
    const summaries = lines
      .filter((l) => l.includes('further refused logins'))
      .map((l) => JSON.parse(l) as { source: string; further: number; msg: string });
    expect(summaries.map((s) => s.source)).toEqual(['127.0.0.1']);
    expect(summaries[0]?.msg).toMatch(/^199 further refused logins from 127\.0\.0\.1 in the last \d+ s$/);

    const records = await readAuditLog(audit);
    const full = records.filter((r) => r.action === 'login.refused');
    const summary = records.filter((r) => r.action === 'login.refused.summary');
    expect(full).toHaveLength(1);
    expect(summary).toEqual([
      expect.objectContaining({
        target: '127.0.0.1',
        result: 'refused',
        detail: expect.objectContaining({ further: 199 }),
      }),
    ]);
    expect(await verifyAuditLog(audit)).toMatchObject({ ok: true, entries: records.length });
  });

  it("caps the topic of a logged-in client's refused will", async () => {
    const { controller, lines } = await controllerWithLog();
    const { operator: cred } = await controllerSecrets(controller.dataDir);
    const topic = `t${'w'.repeat(60_000)}`;
    const client = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: 'cli-will',
      ...cred,
      reconnectPeriod: 0,
      will: { topic, payload: Buffer.from('gone'), qos: 0, retain: false },
    });
    // Dropped without DISCONNECT, the broker publishes the will [MQTT-3.1.2-8]: an operator may not.
    client.stream.destroy();
    const line = await waitFor('will refused', async () =>
      lines.find((l) => l.includes('mqtt publish refused')),
    );
    expect(bytes(line)).toBeLessThan(LINE_BUDGET);
    expect((JSON.parse(line) as { topic: string }).topic).toMatch(TRUNCATED);
    client.end(true);
  });

  it('audits an rpc with a 100 KB name param capped, marked truncated', async () => {
    const { controller, audit } = await controllerWithLog();
    const { operator: cred } = await controllerSecrets(controller.dataDir);
    // Published by hand: the CLI's client checks params (name ≤ 256) before it sends anything.
    const raw = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: 'cli-raw',
      ...cred,
      reconnectPeriod: 0,
    });
    cleanups.push(() => raw.endAsync(true));
    await raw.subscribeAsync(topics.rpcResponse('cli-raw'), { qos: 1 });
    const answer = new Promise<unknown>((resolve) =>
      raw.once('message', (_t, m) => resolve(JSON.parse(m.toString()))),
    );
    const name = `n${'q'.repeat(100_000)}`;
    const request = { v: 1, id: 'big-name', replyTo: 'cli-raw', method: 'nodes.show', params: { name } };
    await raw.publishAsync(topics.rpcRequest(), JSON.stringify(request), { qos: 1 });
    expect(await answer).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    await raw.endAsync(true);
    await controller.stop();

    const entry = (await readAuditLog(audit)).find((r) => r.action === 'rpc.nodes.show');
    expect(entry).toMatchObject({ result: 'refused', target: expect.stringMatching(TRUNCATED) });
    expect(bytes(entry?.target ?? '')).toBeLessThan(300);
    expect(entry?.target?.startsWith('nqqq')).toBe(true);
    const text = await readFile(audit, 'utf8');
    for (const line of text.trim().split('\n')) expect(bytes(line)).toBeLessThan(LINE_BUDGET);
  });
});
