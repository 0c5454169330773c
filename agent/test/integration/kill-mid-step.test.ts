import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { copyHostFixture, makeGitRepo } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';
import { exited, spawnAgent } from '../support/agent-process.js';
import { giveCredential } from '../support/credential.js';

describe('agent process killed mid-step (fixture seam)', () => {
  const h = useAgentHarness();
  const children: ChildProcess[] = [];
  const pidFiles: string[] = [];

  // Runs before the harness's cleanup (hooks unwind in reverse): the processes go first.
  afterEach(async () => {
    for (const c of children) {
      c.kill('SIGKILL');
      await exited(c);
    }
    // The script survives SIGKILL of the agent (own process group) until the next agent ends it;
    // a test that fails before that would leave it behind.
    for (const f of pidFiles) {
      const pid = Number((await readFile(f, 'utf8').catch(() => '')).trim());
      if (pid > 0) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {}
      }
    }
  });

  it('reports the command as interrupted after the restart, and stops cleanly on SIGTERM', async () => {
    const { broker, fc } = h;
    const hostRoot = await copyHostFixture('pi5-b');
    const stateDir = await mkdtemp(path.join(tmpdir(), 'osbuild-state-'));
    const pidFile = path.join(stateDir, 'script.pid');
    pidFiles.push(pidFile);
    const repo = await makeGitRepo({
      'slow.sh': `#!/bin/bash\necho $$ > "${pidFile}"\necho sleeping\nsleep 30\n`,
    });
    const id = 'pi-10000000000000a2';

    await giveCredential(stateDir);
    const first = spawnAgent(broker.url, hostRoot, stateDir).child;
    children.push(first);
    await fc.waitForStatus(id, true);
    const cmdId = await fc.sendStep(id, {
      kind: 'run-script',
      repo: repo.url,
      commit: repo.commit,
      script: 'slow.sh',
    });
    await fc.waitForEvent(id, (e) => e.type === 'command-output' && e.cmdId === cmdId);
    // Mark the log before the kill: the broker may publish the will before we see the exit.
    const from = fc.seen.length;
    first.kill('SIGKILL');
    await exited(first);
    await fc.waitForStatus(id, false, from);

    const second = spawnAgent(broker.url, hostRoot, stateDir).child;
    children.push(second);
    const result = await fc.waitForResult(id, cmdId);
    expect(result.outcome).toBe('interrupted');
    expect(result.error).toMatch(/agent restarted while the command ran/);
    const journal = JSON.parse(await readFile(path.join(stateDir, 'journal', `${cmdId}.json`), 'utf8'));
    expect(journal).toMatchObject({ state: 'finished', result: { outcome: 'interrupted' } });

    const before = fc.seen.length;
    second.kill('SIGTERM');
    await exited(second);
    expect(second.exitCode).toBe(0);
    const off = await fc.waitForStatus(id, false, before);
    expect(off.online).toBe(false);
  }, 90_000);
});
