// Security end to end over TLS with real agents: cloned identities, credential rotation, and a
// sweep for every secret the scenario issued through every log, the audit log, the database and
// what operators are shown.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type AgentHandle, startAgent } from '@osbuild/agent';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startController } from '../../src/server/start-controller.js';
import {
  controllerSecrets,
  FIXTURE_INVENTORY,
  makeWorkspace,
  operator,
  phases,
  startFixtureAgent,
  startTestController,
  useCleanups,
  waitFor,
} from '../support/e2e.js';

const cleanups = useCleanups();

const credentialOf = async (root: string, file = 'credential.json') =>
  (JSON.parse(await readFile(join(root, 'var/lib/osbuild', file), 'utf8')) as { password: string }).password;

describe('security end to end (TLS, real agents)', () => {
  it('puts a cloned board in pending/conflict, never gives it a plan, and keeps the real node online', async () => {
    const controller = await startTestController(await makeWorkspace(FIXTURE_INVENTORY));
    cleanups.push(() => controller.stop());
    const rpc = await operator(controller);
    cleanups.push(() => rpc.close());
    const real = await startFixtureAgent(controller, 'pi5-c');
    cleanups.push(() => real.agent.stop());
    await waitFor('w-02 provisioned', async () => (await phases(rpc))['w-02'] === 'provisioned');

    // A clone while the real board is online: refused at CONNECT, the real node stays online.
    const cloneRoot = await copyHostFixture('pi5-c');
    const clone = await startFixtureAgent(controller, 'pi5-c', cloneRoot);
    cleanups.push(() => clone.agent.stop());
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await rpc.call('nodes.show', { name: 'w-02' })).online).toBe(true);
    await clone.agent.stop();

    // With the real board offline, the clone gets through to claim and is recorded as a conflict.
    await real.agent.stop();
    const again = await startFixtureAgent(controller, 'pi5-c', cloneRoot);
    cleanups.push(() => again.agent.stop());
    const conflict = await waitFor('conflict recorded', async () =>
      (await rpc.call('nodes.list', {})).find((n) => n.name === 'pi-10000000000000a3-conflict'),
    );
    expect(conflict).toMatchObject({ phase: 'pending', reason: expect.stringMatching(/^conflict: /) });
    const w02 = await rpc.call('nodes.show', { name: 'w-02' });
    expect(w02.phase).toBe('provisioned');
    expect(JSON.stringify(await readdir(join(cloneRoot, 'var/lib/osbuild')))).not.toContain(
      'credential.json',
    );
    expect((await readFile(join(cloneRoot, 'etc/hostname'), 'utf8')).trim()).toBe('raspberrypi');

    // The operator opens a reprovision window: the (re-flashed) board is accepted and provisioned anew.
    await rpc.call('nodes.reprovision', { name: 'w-02', windowSec: 120 });
    await waitFor(
      're-enrolled board provisioned',
      async () => {
        const list = await rpc.call('nodes.list', {});
        const node = list.find((n) => n.name === 'w-02');
        return (
          node?.phase === 'provisioned' && node.online && !list.some((n) => n.name.endsWith('-conflict'))
        );
      },
      30_000,
    );
    expect((await readFile(join(cloneRoot, 'etc/hostname'), 'utf8')).trim()).toBe('w-02');
  }, 90_000);

  it('never lets a secret it issued reach a log line, the audit log, the database or operator output', async () => {
    const ws = await makeWorkspace(FIXTURE_INVENTORY);
    const logs: string[] = [];
    // Everything at trace, the level that logs every packet and request (`serve --log-level trace`).
    const capture = (name: string) => pino({ level: 'trace', name }, { write: (s: string) => logs.push(s) });
    const controller = await startController({
      inventoryPath: ws.inventoryPath,
      dataDir: ws.dataDir,
      bootstrapDir: ws.bootstrapDir,
      listen: 'mqtts://127.0.0.1:0',
      httpListen: 'http://127.0.0.1:0',
      logger: capture('controller'),
      retry: { baseMs: 200, capMs: 1_000 },
      tickMs: 100,
    });
    cleanups.push(() => controller.stop());
    const ref = { mqttUrl: controller.mqttUrl, dataDir: ws.dataDir };
    const secrets = await controllerSecrets(ws.dataDir);
    const rpc = await operator(ref);
    cleanups.push(() => rpc.close());

    const roots: Record<string, string> = {};
    const agents: AgentHandle[] = [];
    for (const board of ['pi5-a', 'pi5-b']) {
      roots[board] = await copyHostFixture(board);
      const agent = await startAgent({
        controllerUrl: controller.mqttUrl,
        hostRoot: roots[board],
        claimSecret: secrets.claimSecret,
        tls: { caFile: secrets.caFile },
        logger: capture(board),
        reconnect: { baseMs: 50, capMs: 500 },
      });
      agents.push(agent);
      cleanups.push(() => agent.stop());
    }
    await waitFor('both provisioned', async () => {
      const p = await phases(rpc);
      return p['cp-01'] === 'provisioned' && p['w-01'] === 'provisioned';
    });
    const firstCredential = await credentialOf(roots['pi5-b']!);
    await rpc.call('nodes.rotate-credential', { name: 'w-01' });
    await waitFor(
      'w-01 re-enrolled with a new credential',
      async () => {
        const now = await credentialOf(roots['pi5-b']!).catch(() => firstCredential);
        return now !== firstCredential && (await rpc.call('nodes.show', { name: 'w-01' })).online;
      },
      30_000,
    );
    const user = await rpc.call('users.add', { name: 'alice', role: 'operator' });
    const claim = await rpc.call('claims.add', {});

    const issued = [
      secrets.operator.password,
      secrets.claimSecret,
      user.password,
      claim.secret,
      firstCredential,
      await credentialOf(roots['pi5-b']!),
      await credentialOf(roots['pi5-a']!),
    ];
    expect(await credentialOf(roots['pi5-b']!, 'credential.rejected.json')).toBe(firstCredential);
    expect(new Set(issued).size).toBe(issued.length);

    const shown = JSON.stringify([
      await rpc.call('nodes.list', {}),
      await rpc.call('nodes.show', { name: 'cp-01' }),
      await rpc.call('nodes.show', { name: 'w-01' }),
      await rpc.call('nodes.why', { name: 'w-01' }),
      await rpc.call('users.list', {}),
      await rpc.call('claims.list', {}),
      await rpc.call('controller.stats', {}),
    ]);
    await controller.stop();
    for (const a of agents) await a.stop();
    const dataFiles = await readdir(ws.dataDir);
    const db = Buffer.concat(
      await Promise.all(
        dataFiles.filter((f) => f.startsWith('osbuild.db')).map((f) => readFile(join(ws.dataDir, f))),
      ),
    ).toString('latin1');
    const audit = await readFile(join(ws.dataDir, 'audit.log'), 'utf8');

    expect(logs.length).toBeGreaterThan(50);
    // The sweep covers the trace: the packets and requests that carried the secrets were logged
    // (redacted), so a trace line that showed one would be found below.
    const traced = (msg: string, ...parts: string[]) =>
      logs.filter(
        (l) => l.includes('"level":10') && l.includes(`"msg":"${msg}"`) && parts.every((p) => l.includes(p)),
      );
    expect(traced('mqtt publish out', '/welcome"', '"payload":"[redacted]"').length).toBeGreaterThanOrEqual(
      3,
    );
    expect(traced('mqtt publish in', '/claim"')).not.toEqual([]);
    expect(traced('rpc request', '"method":"users.add"')).toHaveLength(1);
    expect(traced('rpc response', '"method":"claims.add"', '"ok":true')).toHaveLength(1);
    expect(traced('mqtt publish out', '/rpc/response/', '"password":"[redacted]"')).toHaveLength(1);
    expect(traced('mqtt publish out', '/rpc/response/', '"secret":"[redacted]"')).toHaveLength(1);
    // Enrolment leaves nothing behind: the claim session's welcome subscription does not carry
    // over into the node's persistent session (where the ACL would refuse it).
    expect(logs.filter((l) => /mqtt (subscribe|publish) refused/.test(l))).toEqual([]);
    expect(audit).toMatch(/credential\.issued/);
    for (const secret of issued) {
      const where = [
        ...logs.filter((l) => l.includes(secret)).map((l) => `log: ${l.slice(0, 120)}`),
        audit.includes(secret) ? 'audit.log' : '',
        db.includes(secret) ? 'osbuild.db' : '',
        shown.includes(secret) ? 'operator output' : '',
      ].filter(Boolean);
      expect(where, `secret ${secret.slice(0, 4)}... leaked`).toEqual([]);
    }
  }, 90_000);
});
