import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { NodeEvent } from '@osbuild/shared';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('running a run-step command (fixture seam)', () => {
  const h = useAgentHarness();

  it('runs a script step, streams its output as events and publishes the result', async () => {
    const { fc } = h;
    const repo = await makeGitRepo({
      'scripts/hello.sh': '#!/bin/bash\necho "hello from $OSBUILD_NODE_ID"\necho "warn" >&2\n',
    });
    const { agent, hostRoot } = await h.startAgent('pi5-a');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const cmdId = await fc.sendStep(id, {
      kind: 'run-script',
      repo: repo.url,
      commit: repo.commit,
      script: 'scripts/hello.sh',
    });
    const result = await fc.waitForResult(id, cmdId);
    expect(result).toMatchObject({ v: 1, id: cmdId, outcome: 'succeeded', exitCode: 0, error: null });
    expect(result.outputTail).toContain(`hello from ${id}`);
    await fc.waitForEvent(id, (e) => e.type === 'command-started' && e.cmdId === cmdId);
    const out = await fc.waitForEvent(
      id,
      (e) => e.type === 'command-output' && e.cmdId === cmdId && e.stream === 'stdout',
    );
    expect((out as Extract<NodeEvent, { type: 'command-output' }>).text).toContain('hello from');
    expect(agent.stats().commandsRun).toBe(1);

    const cmd2 = await fc.sendStep(id, { kind: 'set-hostname', hostname: 'node-a' }, undefined, 'run-1', 1);
    const r2 = await fc.waitForResult(id, cmd2);
    expect(r2).toMatchObject({ outcome: 'succeeded', changed: true });
    expect(await readFile(path.join(hostRoot, 'etc/hostname'), 'utf8')).toBe('node-a\n');
  });
});
