// The acceptance scenario over TLS with credentials, all real processes: `osbuild serve`, `osbuild-agent run` on Pi 5
// host roots (host actions through the fixture seam), and `osbuild nodes ls -o json` as a script would.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AGENT_BIN,
  CONTROLLER_BIN,
  FIXTURE_INVENTORY,
  freePort,
  kill9,
  makeWorkspace,
  spawnNode,
  waitFor,
} from '../support/e2e.js';

const run = promisify(execFile);
const children: Array<ReturnType<typeof spawnNode>> = [];
afterEach(async () => {
  for (const c of children.splice(0)) await kill9(c.child);
});

describe('acceptance: serve + agents + `nodes ls -o json`, all as real processes', () => {
  it('provisions the known boards, leaves the unknown one pending, and lists them as JSON', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const port = await freePort();
    const url = `mqtts://127.0.0.1:${port}`;
    children.push(
      spawnNode([
        CONTROLLER_BIN,
        'serve',
        '--inventory',
        ws.inventoryPath,
        '--data-dir',
        ws.dataDir,
        '--bootstrap-dir',
        ws.bootstrapDir,
        '--listen',
        url,
        '--http-listen',
        'http://127.0.0.1:0',
        '--log-level',
        'warn',
      ]),
    );
    // The controller writes controller.json once it serves: TLS material and secrets exist then.
    const info = await waitFor(
      'controller up',
      async () =>
        JSON.parse(await readFile(join(ws.dataDir, 'controller.json'), 'utf8')) as { caFingerprint: string },
      60_000,
    );
    const roots: Record<string, string> = {};
    for (const [i, board] of ['pi5-a', 'pi5-b', 'pi5-c', 'pi5-unknown'].entries()) {
      roots[board] = await copyHostFixture(board);
      // Half the boards pin the CA by fingerprint (learned from the handshake), half get the file.
      const trust =
        i % 2 === 0
          ? ['--ca-fingerprint', info.caFingerprint]
          : ['--ca-file', join(ws.dataDir, 'tls', 'ca.pem')];
      children.push(
        spawnNode([
          AGENT_BIN,
          'run',
          '--controller',
          url,
          '--host-root',
          roots[board],
          '--state-dir',
          join(roots[board], 'state'),
          '--claim-file',
          join(ws.dataDir, 'claim.secret'),
          ...trust,
          '--log-level',
          'warn',
        ]),
      );
    }
    const ls = async () => {
      const { stdout } = await run(process.execPath, [
        CONTROLLER_BIN,
        'nodes',
        'ls',
        '-o',
        'json',
        '--controller',
        url,
        '--data-dir',
        ws.dataDir,
      ]);
      return JSON.parse(stdout) as Array<Record<string, unknown>>;
    };
    const nodes = await waitFor(
      'three provisioned, one pending',
      async () => {
        const list = await ls();
        const phases = list.map((n) => n.phase).sort();
        return phases.join() === 'pending,provisioned,provisioned,provisioned' ? list : null;
      },
      60_000,
    );
    for (const n of nodes) {
      for (const key of ['name', 'nodeId', 'mac', 'serial', 'role', 'phase', 'reason', 'lastSeen'])
        expect(n).toHaveProperty(key);
    }
    expect(nodes.find((n) => n.name === 'cp-01')).toMatchObject({
      nodeId: 'pi-10000000000000a1',
      mac: 'dc:a6:32:00:00:0a',
      role: 'control-plane',
      phase: 'provisioned',
    });
    expect(nodes.find((n) => n.nodeId === 'pi-10000000000000ff')).toMatchObject({
      phase: 'pending',
      role: null,
      reason: expect.stringMatching(/^unknown: /),
    });
    expect((await readFile(join(roots['pi5-a']!, 'etc/hostname'), 'utf8')).trim()).toBe('cp-01');
    expect((await readFile(join(roots['pi5-b']!, 'etc/hostname'), 'utf8')).trim()).toBe('w-01');
    expect((await readFile(join(roots['pi5-c']!, 'etc/hostname'), 'utf8')).trim()).toBe('w-02');

    // `nodes why` on a node that does not exist: the documented exit code, not a crash.
    const missing = await run(process.execPath, [
      CONTROLLER_BIN,
      'nodes',
      'why',
      'no-such-node',
      '--controller',
      url,
      '--data-dir',
      ws.dataDir,
    ]).catch((e: { code: number; stderr: string }) => e);
    expect(missing).toMatchObject({ code: 3, stderr: expect.stringMatching(/no node named no-such-node/) });
  }, 120_000);
});
