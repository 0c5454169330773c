import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('duplicate command ids', () => {
  const h = useAgentHarness();

  it('re-publishes the recorded result without running the step again', async () => {
    const { fc } = h;
    const counterDir = await mkdtemp(path.join(tmpdir(), 'osbuild-counter-'));
    const counter = path.join(counterDir, 'runs');
    const repo = await makeGitRepo({ 'count.sh': `#!/bin/bash\necho run >> "${counter}"\necho counted\n` });
    const { agent } = await h.startAgent('pi5-c');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const step = { kind: 'run-script' as const, repo: repo.url, commit: repo.commit, script: 'count.sh' };
    const cmdId = await fc.sendStep(id, step);
    const first = await fc.waitForResult(id, cmdId);

    const from = fc.seen.length;
    await fc.sendStep(id, step, cmdId);
    const again = await fc.waitForResult(id, cmdId, undefined, from);
    expect(again).toEqual(first);
    expect(await readFile(counter, 'utf8')).toBe('run\n');
    expect(agent.stats().commandsRun).toBe(1);
  });

  it('ignores a duplicate of the command that is still running', async () => {
    const { fc } = h;
    const counterDir = await mkdtemp(path.join(tmpdir(), 'osbuild-counter-'));
    const counter = path.join(counterDir, 'runs');
    const repo = await makeGitRepo({ 'slow.sh': `#!/bin/bash\necho run >> "${counter}"\nsleep 0.5\n` });
    const { agent } = await h.startAgent('pi5-b');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const step = { kind: 'run-script' as const, repo: repo.url, commit: repo.commit, script: 'slow.sh' };
    const cmdId = await fc.sendStep(id, step);
    await fc.waitForEvent(id, (e) => e.type === 'command-started' && e.cmdId === cmdId);
    await fc.sendStep(id, step, cmdId);
    await fc.waitForResult(id, cmdId);
    await new Promise((r) => setTimeout(r, 300));
    expect(fc.results(id, cmdId)).toHaveLength(1);
    expect(await readFile(counter, 'utf8')).toBe('run\n');
  });
});
