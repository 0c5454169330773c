// Operator commands on a real agent through a real broker: acks (and duplicate acks), progress,
// results, the deadline check, and the reset-node step with a fixture root's own kubeadm.
import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CommandAck, CommandProgress, CommandResult } from '@osbuild/shared';
import { makeGitRepo } from '@osbuild/test-support/host-root';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

type Report = CommandAck | CommandProgress | CommandResult;

describe('operator commands on the agent', () => {
  const h = useAgentHarness();

  const reports = (nodeId: string, id: string): Report[] =>
    h.fc.seen
      .filter((s) => s.kind === 'cmd-result' && s.nodeId === nodeId && (s.payload as Report).id === id)
      .map((s) => s.payload as Report);
  const send = (nodeId: string, id: string, body: unknown, deadlineMs = 3_600_000) =>
    h.fc.sendRaw(
      nodeId,
      JSON.stringify({ v: 1, id, deadline: new Date(Date.now() + deadlineMs).toISOString(), body }),
    );

  const finalResult = (cmdId: string, from = 0) =>
    h.fc.waitFor(
      (s) =>
        s.kind === 'cmd-result' && (s.payload as Report).id === cmdId && !('type' in (s.payload as object))
          ? (s.payload as CommandResult)
          : undefined,
      15_000,
      from,
    );

  it('acks, reports progress and a result; a duplicate is acked as such and never runs again', async () => {
    const { fc } = h;
    const dir = await mkdtemp(path.join(tmpdir(), 'osbuild-op-'));
    const counter = path.join(dir, 'runs');
    const repo = await makeGitRepo({
      'count.sh': `#!/bin/bash\nsleep 0.3\necho run >> "${counter}"\necho "args $*"\n`,
    });
    const { agent } = await h.startAgent('pi5-b');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const body = { type: 'run-script', repo: repo.url, commit: repo.commit, script: 'count.sh', args: ['x'] };
    const cmdId = 'cmd-operator-0001';
    await send(id, cmdId, body);
    await send(id, cmdId, body); // while queued or running
    const result = await finalResult(cmdId);
    await new Promise((r) => setTimeout(r, 200));
    const seen = reports(id, cmdId);
    const acks = seen.filter((r): r is CommandAck => 'type' in r && r.type === 'ack');
    expect(acks.map((a) => a.duplicate)).toEqual([false, true]);
    expect(acks[0]?.bootId).toBe(agent.identity.bootId);
    expect(seen.some((r) => 'type' in r && r.type === 'progress' && r.state === 'running')).toBe(true);
    // The union puts the result last; FakeController's waitForResult returns the first report.
    const final = seen.find((r): r is CommandResult => !('type' in r));
    expect(final).toMatchObject({ outcome: 'succeeded', exitCode: 0 });
    expect(final?.outputTail).toContain('args x');
    expect(result.id).toBe(cmdId);

    const from = fc.seen.length;
    await send(id, cmdId, body); // after it finished: the recorded result again
    await finalResult(cmdId, from);
    expect(await readFile(counter, 'utf8')).toBe('run\n');
    expect(reports(id, cmdId).filter((r) => 'type' in r && r.type === 'ack' && r.duplicate)).toHaveLength(2);
  });

  it('rejects a command whose deadline has passed instead of running it', async () => {
    const { fc } = h;
    const { agent } = await h.startAgent('pi5-b');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    await send(id, 'cmd-late-00001', { type: 'reboot' }, -1000);
    const r = await finalResult('cmd-late-00001');
    expect(r).toMatchObject({ outcome: 'rejected' });
    expect(r.error).toMatch(/deadline .* passed/);
  });

  it("reset-node runs the root's kubeadm reset -f (fixture stand-in), removes the marker, and fails when kubeadm fails", async () => {
    const { fc } = h;
    const { agent, hostRoot: root, stateDir } = await h.startAgent('pi5-c');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    await writeFile(
      path.join(stateDir, 'provisioned.json'),
      '{"runId":"run-1","at":"2026-01-01T00:00:00Z"}\n',
    );
    // Without kubeadm in the root: nothing to reset, the marker still goes.
    await send(id, 'cmd-reset-0001', { type: 'reset-node' });
    const first = await finalResult('cmd-reset-0001');
    expect(first.outcome).toBe('succeeded');
    expect(first.outputTail).toContain('kubeadm not installed');
    await expect(readFile(path.join(stateDir, 'provisioned.json'))).rejects.toThrow(/ENOENT/);

    // A recording kubeadm in the root's /usr/bin really runs.
    const bin = path.join(root, 'usr/bin');
    await mkdir(bin, { recursive: true });
    const calls = path.join(root, 'kubeadm-calls');
    await writeFile(path.join(bin, 'kubeadm'), `#!/bin/sh\necho "$@" >> "${calls}"\necho "[reset] done"\n`);
    await chmod(path.join(bin, 'kubeadm'), 0o755);
    await send(id, 'cmd-reset-0002', { type: 'reset-node' });
    const second = await finalResult('cmd-reset-0002');
    expect(second.outcome).toBe('succeeded');
    expect(await readFile(calls, 'utf8')).toBe('reset -f\n');
    const log = await readFile(path.join(root, 'var/log/osbuild/host-actions.log'), 'utf8');
    expect(log).toContain('"action":"reset-kubernetes","kubeadm":true');

    await writeFile(path.join(bin, 'kubeadm'), '#!/bin/sh\necho "etcd member removal failed" >&2\nexit 1\n');
    await send(id, 'cmd-reset-0003', { type: 'reset-node' });
    const third = await finalResult('cmd-reset-0003');
    expect(third.outcome).toBe('failed');
    expect(third.error).toMatch(/kubeadm reset -f failed: etcd member removal failed/);
  });
});
