import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Hello } from '@osbuild/shared';
import { describe, expect, it } from 'vitest';
import { useAgentHarness } from '../support/agent-harness.js';

describe('reboot step through the fixture seam', () => {
  const h = useAgentHarness();

  it('succeeds after the emulated restart, with a new boot id, bootSeq+1 and the will fired', async () => {
    const { fc } = h;
    const { agent, hostRoot } = await h.startAgent('pi5-a');
    const id = agent.nodeId;
    const oldBoot = '6f1c2a3e-0a11-4c6b-9d2e-5a0000000a01';
    await fc.waitForStatus(id, true);
    const from = fc.seen.length;
    const cmdId = await fc.sendStep(id, { kind: 'reboot' });
    const result = await fc.waitForResult(id, cmdId);
    expect(result).toMatchObject({ outcome: 'succeeded', error: null });

    const newBoot = (await readFile(path.join(hostRoot, 'proc/sys/kernel/random/boot_id'), 'utf8')).trim();
    expect(newBoot).not.toBe(oldBoot);
    // The session died abruptly: the broker published the will before the new session came up.
    const will = await fc.waitForStatus(id, false, from);
    expect(will.bootId).toBe(oldBoot);
    const hello = await fc.waitFor((s) =>
      s.kind === 'hello' && (s.payload as Hello).identity.bootId === newBoot
        ? (s.payload as Hello)
        : undefined,
    );
    expect(hello.bootSeq).toBe(2);
    expect(agent.identity.bootId).toBe(newBoot);
    const log = await readFile(path.join(hostRoot, 'var/log/osbuild/host-actions.log'), 'utf8');
    expect(log).toContain('"action":"reboot"');
  });
});
