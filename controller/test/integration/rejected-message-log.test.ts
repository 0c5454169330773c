import { topics } from '@osbuild/shared';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { REJECTED_MESSAGE, REJECTIONS_SUPPRESSED } from '../../src/server/rejected-messages.js';
import { connectMqtt } from '../../src/transport/mqtt.js';
import {
  controllerSecrets,
  enrolRawNode,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';
import { helloFrom } from '../support/provisioner-harness.js';

const cleanups = useCleanups();
const board = helloFrom({ serial: '10000000000000a3', mac: 'dc:a6:32:00:00:0c' });
const nodeId = board.identity.nodeId;

/** A result as docs/protocol.md describes it, without its `outputTail`. */
const resultWithoutTail = {
  v: 1,
  id: 'run-0000000000000-0-1',
  outcome: 'succeeded',
  exitCode: 0,
  error: null,
  startedAt: '2026-11-26T06:00:00.000Z',
  finishedAt: '2026-11-26T06:00:01.000Z',
};

async function controllerLoggingTo(lines: Record<string, unknown>[], windowMs: number) {
  const ws = await makeWorkspace(FIXTURE_INVENTORY);
  const logger = pino({ level: 'warn' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  const controller = await startTestController(ws, {
    logger,
    options: { rejectionLog: { perWindow: 3, windowMs } },
  });
  cleanups.push(() => controller.stop());
  const rpc = await operator(controller);
  cleanups.push(() => rpc.close());
  return { controller, rpc };
}

const rejectedLines = (lines: Record<string, unknown>[], kind: string) =>
  lines.filter((l) => l.msg === REJECTED_MESSAGE && l.kind === kind);

describe('rejected messages over a real broker (TLS, mqtt.js clients)', () => {
  it('logs a result without outputTail naming the field, topic and node, and counts it in stats and metrics', async () => {
    const lines: Record<string, unknown>[] = [];
    const { controller, rpc } = await controllerLoggingTo(lines, 60_000);
    const { port } = await enrolRawNode(controller, board);
    cleanups.push(() => port.close(true));

    await port.publish(topics.node(nodeId, 'cmd-result'), resultWithoutTail, { qos: 1 });
    const [line] = await waitFor('the rejection logged', async () => {
      const found = rejectedLines(lines, 'cmd-result');
      return found.length > 0 ? found : null;
    });
    expect(line).toMatchObject({
      topic: `osbuild/v1/nodes/${nodeId}/cmd-result`,
      principal: `node:${nodeId}`,
      issues: ['outputTail: required (expected string)'],
    });

    const stats = await rpc.call('controller.stats', {});
    expect(stats.rejectedMessages['cmd-result']).toBe(1);
    const scrape = await (await fetch(`${controller.httpUrl}/metrics`)).text();
    expect(scrape).toContain('osbuild_messages_rejected_total{kind="cmd-result"} 1');

    // An operator's bad request names the operator and the field.
    const secrets = await controllerSecrets(controller.dataDir);
    const cli = await connectMqtt(controller.mqttUrl, {
      clientId: 'cli-rogue',
      ...secrets.operator,
      ...(secrets.ca ? { ca: secrets.ca } : {}),
    });
    cleanups.push(() => cli.close(true));
    await cli.publish(topics.rpcRequest(), { v: 1, id: 'x', replyTo: 'cli-rogue', method: 'nodes.destroy' });
    const [rpcLine] = await waitFor('the rpc rejection logged', async () => {
      const found = rejectedLines(lines, 'rpc-request');
      return found.length > 0 ? found : null;
    });
    expect(rpcLine).toMatchObject({
      topic: topics.rpcRequest(),
      principal: `operator:${secrets.operator.username}`,
      issues: [expect.stringMatching(/^method: Invalid option: expected one of /), 'params: required'],
    });
  });

  it('a flood of bad results gives a bounded number of lines: the first few, then one summary', async () => {
    const lines: Record<string, unknown>[] = [];
    const windowMs = 4_000;
    const { controller, rpc } = await controllerLoggingTo(lines, windowMs);
    const { port } = await enrolRawNode(controller, board);
    cleanups.push(() => port.close(true));

    const flood = 40;
    for (let i = 0; i < flood; i++)
      await port.publish(topics.node(nodeId, 'cmd-result'), resultWithoutTail, { qos: 1 });
    await waitFor('every rejection counted', async () => {
      const s = await rpc.call('controller.stats', {});
      return s.rejectedMessages['cmd-result'] === flood;
    });
    const summary = await waitFor(
      'the summary line after the window',
      async () => lines.find((l) => l.msg === REJECTIONS_SUPPRESSED) ?? null,
      windowMs + 10_000,
    );
    expect(rejectedLines(lines, 'cmd-result')).toHaveLength(3);
    expect(summary).toMatchObject({
      principal: `node:${nodeId}`,
      kind: 'cmd-result',
      logged: 3,
      suppressed: flood - 3,
    });
    const scrape = await (await fetch(`${controller.httpUrl}/metrics`)).text();
    expect(scrape).toContain(`osbuild_messages_rejected_total{kind="cmd-result"} ${flood}`);
    expect(scrape).toContain(`osbuild_messages_rejected_unlogged_total{kind="cmd-result"} ${flood - 3}`);
  });
});
