import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandResult } from '@osbuild/shared';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hostPaths } from '../../src/host/paths.js';
import { readIdentity } from '../../src/identity/read-identity.js';
import { Journal } from '../../src/journal/journal.js';
import { AgentSession } from '../../src/session/agent-session.js';
import { Backoff } from '../../src/session/backoff.js';
import { giveCredential } from '../support/credential.js';
import { fakeConnector, until } from '../support/fake-mqtt.js';

describe('results not yet acknowledged (fake transport)', () => {
  it('are re-published on connect and marked reported once acknowledged', async () => {
    const identity = await readIdentity(hostPaths(`${HOST_FIXTURES}/pi5-c`), { agentVersion: '1.0.0' });
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    const journal = new Journal(path.join(stateDir, 'journal'));
    const result: CommandResult = {
      v: 1,
      id: 'cmd-offline-01',
      outcome: 'succeeded',
      exitCode: 0,
      error: null,
      outputTail: '',
      startedAt: '2026-11-25T10:00:00.000Z',
      finishedAt: '2026-11-25T10:00:01.000Z',
    };
    await journal.put({
      id: result.id,
      runId: 'r',
      index: 0,
      kind: 'write-file',
      state: 'finished',
      bootId: identity.bootId,
      startedAt: '2026-11-25T10:00:00.000Z',
      result,
      reported: false,
    });
    const { connect, connections } = fakeConnector();
    await giveCredential(stateDir);
    const s = new AgentSession({
      controllerUrl: 'mqtt://fake',
      keepaliveSec: 30,
      connect,
      backoff: new Backoff({ baseMs: 1, capMs: 1 }),
      journal,
      stateDir,
      identity,
      bootSeq: 1,
      rereadIdentity: async () => identity,
      runner: async () => ({ kind: 'no-result', reason: 'session-ended' }),
      counters: { rejectedMessages: 0, commandsRun: 0, reconnects: 0, connects: 0 },
      logger: pino({ level: 'silent' }),
      now: () => new Date(),
    });
    s.start();
    await until(() => connections[0]?.published.some((p) => p.topic.endsWith('/cmd-result')) ?? false);
    const sent = connections[0]?.published.find((p) => p.topic.endsWith('/cmd-result'));
    expect(sent).toMatchObject({ qos: 1, retain: false, payload: result });
    await until(async () => (await journal.get(result.id))?.reported === true);

    // Acknowledged: the next connection does not send it again.
    connections[0]?.destroy();
    await until(() => (connections[1]?.published.length ?? 0) >= 2);
    await new Promise((r) => setTimeout(r, 50));
    expect(connections[1]?.published.filter((p) => p.topic.endsWith('/cmd-result'))).toEqual([]);
    await s.stop();
  });
});
