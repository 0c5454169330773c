import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyHostFixture, makeGitRepo } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import { procProcessTable } from '../../src/host/process-table.js';
import { useAgentHarness } from '../support/agent-harness.js';
import { type AgentProcess, exited, spawnAgent } from '../support/agent-process.js';
import { giveCredential } from '../support/credential.js';

const NODE = 'pi-10000000000000a2';

/** Live (non-zombie) processes of group `pgid`, read from the real /proc. */
async function groupMembers(pgid: number): Promise<number[]> {
  return (await procProcessTable().live()).filter((p) => p.pgid === pgid).map((p) => p.pid);
}

/** `start <pid>` / `stop <pid>` / `done <pid>` lines the step script appended, in order. */
async function markers(log: string): Promise<string[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text.split('\n').filter(Boolean);
}

describe('a step left running by a SIGKILLed agent (fixture seam)', () => {
  const h = useAgentHarness();
  const agents: AgentProcess[] = [];
  const groups: number[] = [];

  // Runs before the harness's cleanup (hooks unwind in reverse): the processes go first.
  afterEach(async () => {
    for (const a of agents.splice(0)) {
      a.child.kill('SIGKILL');
      await exited(a.child);
    }
    for (const pgid of groups.splice(0)) {
      // kill(-1) would signal every process on the machine.
      if (!Number.isInteger(pgid) || pgid <= 1) throw new Error(`not a process group: ${pgid}`);
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
  });

  async function setup() {
    const hostRoot = await copyHostFixture('pi5-b');
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    const log = path.join(stateDir, 'markers.log');
    // Records its start and its end (SIGTERM included); NAP says how long the step takes.
    const repo = await makeGitRepo({
      'long.sh': [
        '#!/bin/bash',
        `echo "start $$" >> "${log}"`,
        `trap 'echo "stop $$" >> "${log}"; exit 143' TERM`,
        'echo working',
        'sleep "$NAP" &',
        'wait $!',
        `echo "done $$" >> "${log}"`,
        '',
      ].join('\n'),
    });
    await giveCredential(stateDir);
    const step = (nap: string) => ({
      kind: 'run-script' as const,
      repo: repo.url,
      commit: repo.commit,
      script: 'long.sh',
      env: { NAP: nap },
    });
    const start = () => {
      const a = spawnAgent(h.broker.url, hostRoot, stateDir);
      agents.push(a);
      return a;
    };
    return { stateDir, log, step, start };
  }

  it('is ended before the next agent takes a command, so the step never runs twice at once', async () => {
    const { fc } = h;
    const { stateDir, log, step, start } = await setup();
    const first = start();
    await fc.waitForStatus(NODE, true);
    const cmdId = await fc.sendStep(NODE, step('60'));
    await fc.waitForEvent(NODE, (e) => e.type === 'command-output' && e.cmdId === cmdId);
    const [started] = await markers(log);
    const oldPid = Number(started?.split(' ')[1]);
    groups.push(oldPid);
    expect(await groupMembers(oldPid)).toContain(oldPid);

    // Kill the agent only: its step leads a process group of its own and lives on.
    const from = fc.seen.length;
    first.child.kill('SIGKILL');
    await exited(first.child);
    await fc.waitForStatus(NODE, false, from);
    expect(await groupMembers(oldPid)).toContain(oldPid);

    start();
    const interrupted = await fc.waitForResult(NODE, cmdId);
    // By the time the new agent reports (and so before it can take the retry), the old step's
    // whole group is gone.
    expect(await groupMembers(oldPid)).toEqual([]);
    expect(await markers(log)).toEqual([`start ${oldPid}`, `stop ${oldPid}`]);
    expect(interrupted.outcome).toBe('interrupted');
    expect(interrupted.error).toBe(
      `the agent restarted while the command ran; its processes were still running and were ended (group ${oldPid}: SIGTERM)`,
    );
    const entry = JSON.parse(await readFile(path.join(stateDir, 'journal', `${cmdId}.json`), 'utf8'));
    expect(entry.endedGroups).toEqual([{ cmdId, pgid: oldPid, signal: 'SIGTERM' }]);

    // The controller's retry: the same step with a new command id, run by the new agent.
    const retry = await fc.sendStep(NODE, step('0'));
    expect((await fc.waitForResult(NODE, retry)).outcome).toBe('succeeded');
    const lines = await markers(log);
    const newPid = Number(lines[2]?.split(' ')[1]);
    expect(lines).toEqual([`start ${oldPid}`, `stop ${oldPid}`, `start ${newPid}`, `done ${newPid}`]);
    expect(await readdir(path.join(stateDir, 'running-steps'))).toEqual([]);
  }, 90_000);

  it('refuses a second agent on the state dir while the first is alive, and not after it died', async () => {
    const { fc } = h;
    const { stateDir, start } = await setup();
    const first = start();
    await fc.waitForStatus(NODE, true);
    const pid = first.child.pid as number;

    const second = start();
    const ended = await Promise.race([
      exited(second.child).then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    expect(ended, 'the second agent kept running next to the first').toBe(true);
    expect(second.child.exitCode).toBe(3);
    expect(second.stderr()).toContain(
      `osbuild-agent: another osbuild-agent (pid ${pid}) is running on state dir ${stateDir}; stop it first`,
    );
    // The first one is unharmed and still holds the lock.
    expect(first.child.exitCode).toBeNull();
    expect(JSON.parse(await readFile(path.join(stateDir, 'agent.pid'), 'utf8'))).toMatchObject({ pid });

    // A lock left by a SIGKILLed agent is stale: the next agent takes it over.
    const from = fc.seen.length;
    first.child.kill('SIGKILL');
    await exited(first.child);
    await fc.waitForStatus(NODE, false, from);
    const third = start();
    await fc.waitForStatus(NODE, true, fc.seen.length);
    expect(third.child.exitCode).toBeNull();
    expect(JSON.parse(await readFile(path.join(stateDir, 'agent.pid'), 'utf8'))).toMatchObject({
      pid: third.child.pid,
    });
  }, 90_000);
});
