// The CLI against a real Aedes on 127.0.0.1 and a scripted responder in place of the controller.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RpcRequest } from '@osbuild/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NODE_DETAIL, NODE_LIST, NODE_WHY, NOW, STATS } from '../fixtures/cli-nodes.js';
import {
  okReply,
  type Responder,
  runBin,
  runCli,
  startBroker,
  startResponder,
  type TestBroker,
} from '../support/cli-harness.js';

function answer(req: RpcRequest): object {
  switch (req.method) {
    case 'nodes.list':
      return okReply(req, NODE_LIST);
    case 'nodes.show':
      return okReply(req, NODE_DETAIL);
    case 'nodes.why':
      return okReply(req, NODE_WHY);
    case 'nodes.approve':
      return okReply(req, { ...NODE_LIST[1], name: 'w9', hostname: 'w9', role: 'worker', phase: 'matched' });
    case 'nodes.retry':
      return okReply(req, {
        ...NODE_LIST[0],
        phase: 'provisioning',
        reason: 'an operator asked to retry step 2 (run-script)',
      });
    case 'controller.stats':
      return okReply(req, STATS);
    default:
      throw new Error(`no canned answer for ${req.method}`);
  }
}

describe('rpc commands against a responding controller', () => {
  let broker: TestBroker;
  let responder: Responder;
  beforeAll(async () => {
    broker = await startBroker();
    responder = await startResponder(broker.url, answer);
  });
  afterAll(async () => {
    await responder.close();
    await broker.close();
  });

  const cli = (args: string[]) => runCli([...args, '--controller', broker.url], { now: NOW });

  it('nodes ls prints the table', async () => {
    const r = await cli(['nodes', 'ls']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')[0]).toMatch(
      /^NAME\s+NODE-ID\s+ROLE\s+IP\s+PHASE\s+ONLINE\s+LAST-SEEN\s+HEALTH\s+REASON$/,
    );
    expect(r.stdout).toContain('k8s-master-01');
  });

  it('sends well-formed requests from a cli-<random> client', async () => {
    const before = responder.requests.length;
    await cli(['nodes', 'show', 'k8s-master-01']);
    const req = responder.requests[before];
    expect(req).toMatchObject({ v: 1, method: 'nodes.show', params: { name: 'k8s-master-01' } });
    expect(req?.replyTo).toMatch(/^cli-[0-9a-f]{16}$/);
  });

  it.each([
    [['nodes', 'ls'], NODE_LIST],
    [['nodes', 'show', 'k8s-master-01'], NODE_DETAIL],
    [['nodes', 'why', 'k8s-master-01'], NODE_WHY],
    [['status'], STATS],
  ])('%j -o json prints exactly the rpc result', async (args, data) => {
    const r = await cli([...args, '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(data);
  });

  it('nodes why explains the failure in words', async () => {
    const r = await cli(['nodes', 'why', 'k8s-master-01']);
    expect(r.stdout).toContain('Failed step: #2 run-script (failed, attempt 2, exit code 3)');
    expect(r.stdout).toContain('  E: unable to locate package containerd');
  });

  it('nodes approve sends nodeId, hostname and role', async () => {
    const r = await cli(['nodes', 'approve', 'pi-10000000abcdef09', '--as', 'w9', '--role', 'worker']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Approved pi-10000000abcdef09 as w9 (worker); phase matched.\n');
    expect(responder.requests.at(-1)?.params).toEqual({
      nodeId: 'pi-10000000abcdef09',
      hostname: 'w9',
      role: 'worker',
    });
  });

  it('nodes retry sends the name and whether to start over', async () => {
    const r = await cli(['nodes', 'retry', 'w-02']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Retrying .+; phase provisioning: an operator asked to retry step 2 \(run-script\)\.\n$/,
    );
    expect(responder.requests.at(-1)?.params).toEqual({ name: 'w-02', fromStart: false });
    await cli(['nodes', 'retry', 'w-02', '--from-start']);
    expect(responder.requests.at(-1)?.params).toEqual({ name: 'w-02', fromStart: true });
  });

  it('status -o yaml prints yaml', async () => {
    const r = await cli(['status', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('version: 0.1.0\n');
  });

  it('finds the controller through OSBUILD_CONTROLLER and <data-dir>/controller.json', async () => {
    expect((await runCli(['nodes', 'ls'], { env: { OSBUILD_CONTROLLER: broker.url } })).code).toBe(0);
    const dir = await mkdtemp(join(tmpdir(), 'osbuild-cli-'));
    try {
      await writeFile(join(dir, 'controller.json'), JSON.stringify({ mqttUrl: broker.url }));
      expect((await runCli(['nodes', 'ls', '--data-dir', dir])).code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the real bin prints nodes ls -o json', async () => {
    const r = await runBin(['nodes', 'ls', '-o', 'json', '--controller', broker.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(NODE_LIST);
  });
});
