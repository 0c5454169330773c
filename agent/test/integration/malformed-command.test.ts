import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('malformed command payloads', () => {
  const h = useAgentHarness();

  it('counts and logs them, and keeps serving valid commands', async () => {
    const { fc } = h;
    const { agent } = await h.startAgent('pi5-a');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    await fc.sendRaw(id, 'not json at all');
    await fc.sendRaw(id, JSON.stringify({ v: 1, id: 'short', deadline: 'x', body: { type: 'run-step' } }));
    await fc.sendRaw(id, JSON.stringify({ v: 2, id: 'cmd-00000001', deadline: 'x', body: { type: 'nope' } }));
    const warn = await fc.waitForEvent(id, (e) => e.type === 'log' && e.level === 'warn');
    expect(warn.type === 'log' && warn.msg).toMatch(/rejected command/);

    const cmdId = await fc.sendStep(id, { kind: 'mark-provisioned', runId: 'run-9' });
    const result = await fc.waitForResult(id, cmdId);
    expect(result.outcome).toBe('succeeded');
    expect(agent.stats().rejectedMessages).toBe(3);
  });

  it('answers a command with a readable id but a step it does not know with a rejected result', async () => {
    const { fc } = h;
    const { agent } = await h.startAgent('pi5-a');
    const id = agent.nodeId;
    await fc.waitForStatus(id, true);
    const cmdId = 'run-future-0-1';
    const body = {
      type: 'run-step',
      runId: 'run-future',
      index: 0,
      attempt: 1,
      step: { kind: 'flash-firmware' },
    };
    await fc.sendRaw(id, JSON.stringify({ v: 1, id: cmdId, deadline: '2099-01-01T00:00:00.000Z', body }));
    const result = await fc.waitForResult(id, cmdId);
    expect(result).toMatchObject({ outcome: 'rejected', startedAt: null, exitCode: null });
    expect(result.error).toMatch(/^this agent cannot run the command: body\.step\.kind/);
  });
});
