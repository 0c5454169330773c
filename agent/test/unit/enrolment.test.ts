import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hostPaths } from '../../src/host/paths.js';
import { readIdentity } from '../../src/identity/read-identity.js';
import { credentialFile, writeCredential } from '../../src/journal/credential.js';
import { Journal } from '../../src/journal/journal.js';
import { AgentSession } from '../../src/session/agent-session.js';
import { Backoff } from '../../src/session/backoff.js';
import type { ConnectMqtt, ConnectOptions } from '../../src/transport/mqtt-connection.js';
import { FakeConnection, until } from '../support/fake-mqtt.js';

const CLAIM = 'c'.repeat(43);

/** A connector that records how each connection authenticated; `refuse` fails the next attempt. */
function recordingConnector() {
  const attempts: ConnectOptions[] = [];
  const connections: FakeConnection[] = [];
  let refuse: number | null = null;
  const connect: ConnectMqtt = async (opts) => {
    attempts.push(opts);
    if (refuse !== null) {
      const code = refuse;
      refuse = null;
      throw Object.assign(new Error('Connection refused: Bad username or password'), { code });
    }
    const c = new FakeConnection();
    connections.push(c);
    return c;
  };
  return { connect, attempts, connections, refuseNext: (code: number) => (refuse = code) };
}

async function session(stateDir: string, connect: ConnectMqtt) {
  const identity = await readIdentity(hostPaths(`${HOST_FIXTURES}/pi5-a`), { agentVersion: '1.0.0' });
  const s = new AgentSession({
    controllerUrl: 'mqtts://fake',
    keepaliveSec: 30,
    connect,
    backoff: new Backoff({ baseMs: 1, capMs: 1 }),
    journal: new Journal(path.join(stateDir, 'journal')),
    stateDir,
    identity,
    bootSeq: 1,
    rereadIdentity: async () => identity,
    claimSecret: CLAIM,
    runner: async () => ({ kind: 'no-result', reason: 'session-ended' }),
    counters: { rejectedMessages: 0, commandsRun: 0, reconnects: 0, connects: 0 },
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
  });
  s.start();
  return { s, nodeId: identity.nodeId };
}

describe('agent enrolment (fake transport)', () => {
  it('claims with the claim secret, stores the welcome credential 0600 and reconnects with it', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    const fake = recordingConnector();
    const { s, nodeId } = await session(stateDir, fake.connect);
    await until(() => fake.connections[0]?.published.some((p) => p.topic.endsWith('/claim')) ?? false);
    const first = fake.connections[0]!;
    expect(fake.attempts[0]).toMatchObject({ username: 'claim', password: CLAIM, clean: true });
    expect(fake.attempts[0]?.will).toBeUndefined();
    expect(first.subscriptions).toEqual([
      `osbuild/v1/nodes/${nodeId}/welcome`,
      'osbuild/v1/controller/status',
    ]);
    // Nothing but the claim: no status, no hello.
    expect(first.published.map((p) => p.topic)).toEqual([`osbuild/v1/nodes/${nodeId}/claim`]);

    first.deliver(`osbuild/v1/nodes/${nodeId}/welcome`, {
      v: 1,
      at: 'now',
      outcome: 'pending',
      reason: 'pending: unknown',
    });
    first.deliver(`osbuild/v1/nodes/${nodeId}/welcome`, {
      v: 1,
      at: 'now',
      outcome: 'credential',
      credential: { username: nodeId, password: 'p'.repeat(43) },
    });
    await until(
      () =>
        fake.connections.length === 2 &&
        fake.connections[1]!.published.some((p) => p.topic.endsWith('/hello')),
    );
    expect(fake.attempts[1]).toMatchObject({
      username: nodeId,
      password: 'p'.repeat(43),
      clean: false,
      will: { topic: `osbuild/v1/nodes/${nodeId}/status` },
    });
    expect(fake.connections[1]!.subscriptions).toContain(`osbuild/v1/nodes/${nodeId}/cmd`);
    expect((await stat(credentialFile(stateDir))).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(credentialFile(stateDir), 'utf8'))).toEqual({
      username: nodeId,
      password: 'p'.repeat(43),
    });
    await s.stop();
  });

  it('sets a refused credential aside and enrols again with the claim', async () => {
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    await writeCredential(stateDir, { username: 'pi-10000000000000a1', password: 'o'.repeat(43) });
    const fake = recordingConnector();
    fake.refuseNext(4);
    const { s } = await session(stateDir, fake.connect);
    await until(() => fake.attempts.length >= 2);
    expect(fake.attempts[0]).toMatchObject({ username: 'pi-10000000000000a1', password: 'o'.repeat(43) });
    expect(fake.attempts[1]).toMatchObject({ username: 'claim', password: CLAIM });
    expect(JSON.parse(await readFile(path.join(stateDir, 'credential.rejected.json'), 'utf8')).password).toBe(
      'o'.repeat(43),
    );
    await s.stop();
  });
});
