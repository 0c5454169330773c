import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Command, type CommandResult, topics } from '@osbuild/shared';
import { HOST_FIXTURES } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { hostPaths } from '../../src/host/paths.js';
import { readIdentity } from '../../src/identity/read-identity.js';
import { Journal } from '../../src/journal/journal.js';
import { type AgentCounters, AgentSession } from '../../src/session/agent-session.js';
import { Backoff } from '../../src/session/backoff.js';
import type { StepRunner } from '../../src/session/ports.js';
import { giveCredential } from '../support/credential.js';
import { fakeConnector, until } from '../support/fake-mqtt.js';

const cmd = (id: string): Command => ({
  v: 1,
  id,
  deadline: '2099-01-01T00:00:00.000Z',
  body: {
    type: 'run-step',
    runId: 'r',
    index: 0,
    attempt: 1,
    step: { kind: 'mark-provisioned', runId: 'r', timeoutSec: 30 },
  },
});

async function session(runner: StepRunner) {
  const identity = await readIdentity(hostPaths(`${HOST_FIXTURES}/pi5-a`), { agentVersion: '1.0.0' });
  const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
  const journal = new Journal(path.join(stateDir, 'journal'));
  const counters: AgentCounters = { rejectedMessages: 0, commandsRun: 0, reconnects: 0, connects: 0 };
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
    runner,
    counters,
    logger: pino({ level: 'silent' }),
    now: () => new Date(),
  });
  s.start();
  await until(() => connections.length === 1 && connections[0]!.published.length >= 2);
  const conn = connections[0]!;
  const cmdTopic = topics.node(identity.nodeId, 'cmd');
  const results = (id: string) =>
    conn.published.filter((p) => p.topic.endsWith('/cmd-result') && (p.payload as CommandResult).id === id);
  return { s, conn, cmdTopic, results, counters, journal };
}

describe('de-duplication by command id (fake transport)', () => {
  it('re-publishes the recorded result of a finished id instead of re-running it', async () => {
    let runs = 0;
    const runner: StepRunner = async (c, startedAt) => {
      runs++;
      return {
        kind: 'result',
        result: {
          v: 1,
          id: c.id,
          outcome: 'succeeded',
          exitCode: 0,
          error: null,
          outputTail: `run ${runs}`,
          startedAt,
          finishedAt: startedAt,
        },
      };
    };
    const { s, conn, cmdTopic, results, journal } = await session(runner);
    conn.deliver(cmdTopic, cmd('cmd-dup-0001'));
    await until(() => results('cmd-dup-0001').length === 1);
    await until(async () => (await journal.get('cmd-dup-0001'))?.reported === true);
    conn.deliver(cmdTopic, cmd('cmd-dup-0001'));
    await until(() => results('cmd-dup-0001').length === 2);
    expect(runs).toBe(1);
    expect(results('cmd-dup-0001')[1]?.payload).toEqual(results('cmd-dup-0001')[0]?.payload);
    await s.stop();
  });

  it('ignores duplicates of a running or queued id', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const ran: string[] = [];
    const runner: StepRunner = async (c, startedAt) => {
      ran.push(c.id);
      await gate;
      return {
        kind: 'result',
        result: {
          v: 1,
          id: c.id,
          outcome: 'succeeded',
          exitCode: 0,
          error: null,
          outputTail: '',
          startedAt,
          finishedAt: startedAt,
        },
      };
    };
    const { s, conn, cmdTopic, results, counters } = await session(runner);
    conn.deliver(cmdTopic, cmd('cmd-run-0001'));
    conn.deliver(cmdTopic, cmd('cmd-run-0002'));
    await until(() => ran.length === 1);
    conn.deliver(cmdTopic, cmd('cmd-run-0001'));
    conn.deliver(cmdTopic, cmd('cmd-run-0002'));
    conn.deliver(cmdTopic, 'garbage');
    release();
    await until(() => results('cmd-run-0002').length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(ran).toEqual(['cmd-run-0001', 'cmd-run-0002']);
    expect(results('cmd-run-0001')).toHaveLength(1);
    expect(counters).toMatchObject({ commandsRun: 2, rejectedMessages: 1 });
    await s.stop();
  });
});
