// Reboot and reprovision of an OFFLINE node through its power hook (netboot.yaml powerHooks): a
// real controller and broker, the real hook runner (no shell, env, timeout) running a real shell
// script. Stand-ins: the netboot root reset (recorded, see netboot-adapter.test.ts for the real
// one) and the board's power supply: the hook script "powers the board on" by giving it a new boot
// id and starting the real agent executable again on the same host root.
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { exec } from '../../src/host/exec.js';
import { netbootPowerHooks } from '../../src/netboot/power-hook.js';
import type { NetbootReset } from '../../src/operator-commands/ports.js';
import { askOp, outcomes, provisionedFleet } from '../support/commands.js';
import { AGENT_BIN, controllerSecrets, makeWorkspace, useCleanups, waitFor } from '../support/e2e.js';
import { netbootConfig } from '../support/netboot-fixture.js';

const cleanups = useCleanups();
const SLOW_MS = 150_000;

// Records its environment, fails when asked, else "powers on": a new boot id, the agent again.
const HOOK = `#!/bin/sh
set -eu
dir="$(dirname "$0")"
env | grep '^OSBUILD_' | sort > "$dir/hook-env"
echo called >> "$dir/hook-calls"
. "$dir/agent.env"
if [ -f "$dir/fail" ]; then echo "switching PoE port 7 on"; echo "switch 10.0.10.250 unreachable" >&2; exit 5; fi
cat /proc/sys/kernel/random/uuid > "$ROOT/proc/sys/kernel/random/boot_id"
"$NODE" "$AGENT_BIN" run --controller "$CONTROLLER" --host-root "$ROOT" --ca-file "$CA" \\
  --claim-file "$CLAIM" --log-level warn > "$dir/agent.log" 2>&1 &
echo $! > "$dir/agent.pid"
echo "powered on $OSBUILD_NODE"
`;

/** A fleet with w-01 (netboot) provisioned, then its agent stopped: the node is offline. */
async function offlineNetbootNode(hooks: (script: string) => Record<string, unknown>) {
  const hookDir = (await makeWorkspace('nodes: []\n')).dir;
  await writeFile(join(hookDir, 'power-on.sh'), HOOK);
  await chmod(join(hookDir, 'power-on.sh'), 0o755);
  const resets: string[] = [];
  const netbootReset: NetbootReset = {
    async resetRoot(name) {
      resets.push(name);
      return { image: 'stand-in' };
    },
  };
  const config = netbootConfig(join(hookDir, 'srv'), {
    powerHooks: hooks(join(hookDir, 'power-on.sh')),
  });
  const powerHooks = netbootPowerHooks(config, exec);
  const f = await provisionedFleet(cleanups, ['w-01'], { options: { netbootReset, powerHooks } });
  const secrets = await controllerSecrets(f.ws.dataDir);
  await writeFile(
    join(hookDir, 'agent.env'),
    [
      `NODE='${process.execPath}'`,
      `AGENT_BIN='${AGENT_BIN}'`,
      `CONTROLLER='${f.c.mqttUrl}'`,
      `ROOT='${f.root('w-01')}'`,
      `CA='${secrets.caFile}'`,
      `CLAIM='${secrets.claimFile}'`,
      '',
    ].join('\n'),
  );
  cleanups.push(async () => {
    const pid = Number((await readFile(join(hookDir, 'agent.pid'), 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  await f.agents['w-01']?.agent.stop();
  await waitFor('w-01 offline', async () => {
    const n = await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-01' }));
    return n.online === false;
  });
  return { f, hookDir, resets };
}

async function auditText(dataDir: string, needle: string): Promise<string> {
  return waitFor(`audit has ${needle}`, async () => {
    const text = await readFile(auditLogPath(dataDir), 'utf8');
    return text.includes(needle) ? text : null;
  });
}

describe('reboot/reprovision of an offline node through its power hook (stand-ins: power supply, netboot root reset)', {
  timeout: SLOW_MS,
}, () => {
  it('reprovision: root reset, hook run with the node in its env, success only after a new boot id; reboot likewise', async () => {
    const { f, hookDir, resets } = await offlineNetbootNode((script) => ({
      'w-01': { command: [script, '--port', '7'], timeoutSec: 30 },
    }));
    const before = await askOp(f.c, (r) => r.call('nodes.show', { name: 'w-01' }));

    const r = await f.cli(['reprovision', 'w-01', '-o', 'json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('succeeded');
    expect(o?.command?.reason).toMatch(/^w-01 was reset and provisioned again \(run run-/);
    expect(o?.command?.bootIdBefore).toBe(before.bootId);
    expect(o?.command?.bootIdAfter).not.toBe(before.bootId);
    expect(r.stderr).toContain('power hook ran; waiting for w-01 to come back with a new boot id');
    expect(resets).toEqual(['w-01']);
    const env = await readFile(join(hookDir, 'hook-env'), 'utf8');
    expect(env).toBe(
      [
        'OSBUILD_NODE=w-01',
        `OSBUILD_NODE_ID=${before.nodeId}`,
        'OSBUILD_NODE_MAC=dc:a6:32:00:00:0b',
        'OSBUILD_NODE_SERIAL=10000000000000a2',
        '',
      ].join('\n'),
    );
    const cmdId = o?.command?.id as string;
    const logs = await askOp(f.c, (x) => x.call('logs.get', { name: 'w-01', limit: 1000 }));
    expect(logs.filter((l) => l.cmdId === cmdId).map((l) => l.text)).toEqual([
      '[power hook] powered on w-01',
    ]);
    const events = await askOp(f.c, (x) => x.call('events.list', { name: 'w-01', limit: 500 }));
    const mine = events.filter((e) => e.data.cmdId === cmdId).map((e) => e.type);
    expect(mine).toEqual([
      'command-created',
      'netboot-root-reset',
      'power-hook-started',
      'power-cycled',
      'command-finished',
    ]);
    const audit = await auditText(f.ws.dataDir, '"node.power-hook"');
    expect(audit).toMatch(/"actor":"controller","action":"node.power-hook","target":"w-01","result":"ok"/);

    // The agent the hook started is the node now; stop it and reboot through the hook.
    process.kill(Number((await readFile(join(hookDir, 'agent.pid'), 'utf8')).trim()), 'SIGKILL');
    await waitFor('w-01 offline again', async () => {
      const n = await askOp(f.c, (x) => x.call('nodes.show', { name: 'w-01' }));
      return n.online === false ? n : null;
    });
    const reboot = await f.cli(['reboot', 'w-01', '-o', 'json']);
    expect(reboot.code, reboot.stderr).toBe(0);
    const [b] = outcomes(reboot.stdout);
    expect(b?.command?.reason).toBe('w-01 came back with a new boot id');
    expect(b?.command?.bootIdAfter).not.toBe(b?.command?.bootIdBefore);
    expect((await readFile(join(hookDir, 'hook-calls'), 'utf8')).split('\n').filter(Boolean)).toHaveLength(2);
    expect(resets).toEqual(['w-01']);
  });

  it('a failing hook fails the command with its exit code and stderr tail, audited', async () => {
    const { f, hookDir } = await offlineNetbootNode((script) => ({ 'w-01': { command: [script] } }));
    await writeFile(join(hookDir, 'fail'), '');
    const r = await f.cli(['reprovision', 'w-01', '-o', 'json']);
    expect(r.code).toBe(8);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('failed');
    expect(o?.command?.reason).toBe(
      'power hook for w-01 failed (exit code 5): switch 10.0.10.250 unreachable',
    );
    expect(o?.command?.exitCode).toBe(5);
    expect(o?.command?.outputTail).toBe('switching PoE port 7 on\nswitch 10.0.10.250 unreachable');
    const audit = await auditText(f.ws.dataDir, '"node.power-hook"');
    expect(audit).toMatch(/"action":"node.power-hook","target":"w-01","result":"refused"/);
    expect(audit).toContain('"exitCode":5');
  });

  it('a hook that outlives its timeout fails the command saying so', async () => {
    const { f, hookDir } = await offlineNetbootNode(() => ({
      'w-01': { command: ['/bin/sleep', '30'], timeoutSec: 1 },
    }));
    void hookDir;
    const r = await f.cli(['reboot', 'w-01', '-o', 'json']);
    expect(r.code).toBe(8);
    expect(outcomes(r.stdout)[0]?.command?.reason).toBe('power hook for w-01 failed (timed out after 1 s)');
  });

  it('without a hook the command waits queued and says no power hook is configured', async () => {
    const { f, hookDir } = await offlineNetbootNode(() => ({}));
    const r = await f.cli(['reprovision', 'w-01', '--wait', '1', '-o', 'json']);
    expect(r.code).toBe(9);
    const [o] = outcomes(r.stdout);
    expect(o?.command?.state).toBe('queued');
    expect(o?.command?.reason).toMatch(
      /^w-01 is offline and no power hook is configured \(netboot\.yaml powerHooks\.w-01\); the command waits until it comes back, then its root is reset and it reboots \(expires /,
    );
    expect(r.stderr).toContain('no power hook is configured (netboot.yaml powerHooks.w-01)');
    await expect(readFile(join(hookDir, 'hook-calls'), 'utf8')).rejects.toThrow();
  });
});
