import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { topics } from '@osbuild/shared';
import mqtt from 'mqtt';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { ask, controllerSecrets, phases, useCleanups, waitFor } from '../support/e2e.js';
import { startKubeAgent, startKubeController } from '../support/kube-cluster.js';

const cleanups = useCleanups();

/** Every file below `dir`, concatenated (SQLite database and WAL included, as raw bytes). */
async function allText(dir: string): Promise<string> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    out.push((await readFile(join(e.parentPath, e.name))).toString('latin1'));
  }
  return out.join('\n');
}

/** The broker refuses the subscription (SUBACK 0x80, which mqtt.js turns into a rejection). */
async function refused(client: mqtt.MqttClient, filter: string): Promise<boolean> {
  try {
    const granted = await client.subscribeAsync(filter);
    return granted[0]?.qos === 128;
  } catch (err) {
    return /Subscribe error/.test((err as Error).message);
  }
}

describe('join tokens and the kubeconfig stay secret (stand-in kube-apiserver and kubeadm)', () => {
  it('never shows a token outside the node join step: logs, argv, audit, store, journals, MQTT of a monitor and of another node', async () => {
    const logLines: string[] = [];
    const logger = pino({ level: 'trace' }, { write: (s: string) => logLines.push(s) });
    const { standins, controller } = await startKubeController({ logger });
    cleanups.push(
      () => standins.close(),
      () => controller.stop(),
    );
    standins.api.autoReadyMs = 100;
    const tokens: string[] = [];
    standins.api.onTokenCreated = (id) => {
      const s = standins.api.secrets().find((x) => x.metadata.name === `bootstrap-token-${id}`);
      tokens.push(`${id}.${Buffer.from(s?.data['token-secret'] ?? '', 'base64').toString()}`);
    };

    // A monitor watching everything it may, and trying what it may not.
    const secrets = await controllerSecrets(controller.dataDir);
    const { password } = await ask(controller, (rpc) =>
      rpc.call('users.add', { name: 'grafana', role: 'monitor' }),
    );
    const monitor = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: 'grafana-1',
      username: 'grafana',
      password,
      ca: secrets.ca,
      reconnectPeriod: 0,
    });
    cleanups.push(() => monitor.endAsync());
    const seenByMonitor: string[] = [];
    monitor.on('message', (t, p) => seenByMonitor.push(`${t} ${p.toString('latin1')}`));
    for (const kind of ['status', 'events', 'telemetry'] as const)
      expect(await refused(monitor, `osbuild/v1/nodes/+/${kind}`)).toBe(false);
    for (const kind of ['cmd', 'cmd-result'] as const)
      expect(await refused(monitor, `osbuild/v1/nodes/+/${kind}`)).toBe(true);

    const agentLog = pino({ level: 'trace' }, { write: (s: string) => logLines.push(s) });
    const cp = await startKubeAgent(controller, standins, 'pi5-a', {}, agentLog);
    const w1 = await startKubeAgent(controller, standins, 'pi5-b', {}, agentLog);
    cleanups.push(
      () => cp.agent.stop(),
      () => w1.agent.stop(),
    );
    await waitFor(
      'cp-01 and w-01 ready',
      async () => {
        const p = await ask(controller, phases);
        return p['cp-01'] === 'ready' && p['w-01'] === 'ready' ? p : null;
      },
      40_000,
    );

    // w-01, as itself, tries to read w-02's commands and results while w-02 joins.
    await w1.agent.stop();
    const cred = JSON.parse(await readFile(join(w1.root, 'var/lib/osbuild/credential.json'), 'utf8'));
    const other = await mqtt.connectAsync(controller.mqttUrl, {
      clientId: `agent-${w1.agent.nodeId}`,
      username: cred.username,
      password: cred.password,
      ca: secrets.ca,
      reconnectPeriod: 0,
    });
    cleanups.push(() => other.endAsync());
    const seenByOther: string[] = [];
    other.on('message', (t, p) => seenByOther.push(`${t} ${p.toString('latin1')}`));
    const w2Id = 'pi-10000000000000a3';
    for (const kind of ['cmd', 'cmd-result'] as const)
      expect(await refused(other, topics.node(w2Id, kind))).toBe(true);
    expect(await refused(other, topics.node(w1.agent.nodeId, 'cmd'))).toBe(false);

    const w2 = await startKubeAgent(controller, standins, 'pi5-c', {}, agentLog);
    cleanups.push(() => w2.agent.stop());
    await waitFor(
      'w-02 ready',
      async () => ((await ask(controller, phases))['w-02'] === 'ready' ? true : null),
      40_000,
    );
    await controller.stop();

    expect(tokens).toHaveLength(2);
    const secretsToHide = [...tokens, ...tokens.map((t) => t.split('.')[1] ?? ''), standins.api.adminToken];
    const places: Record<string, string> = {
      'controller and agent logs': logLines.join('\n'),
      'stand-in argv records': await standins.stateText(),
      'audit log': await readFile(auditLogPath(controller.dataDir), 'utf8'),
      'controller store (SQLite, events, step output)': await allText(controller.dataDir).then((t) =>
        // The kubeconfig file itself is where the admin credential is meant to be.
        t.replace(standins.api.adminKubeconfig(), ''),
      ),
      'agent journals':
        (await allText(join(cp.root, 'var/lib/osbuild/journal'))) +
        (await allText(join(w2.root, 'var/lib/osbuild/journal'))),
      'MQTT seen by a monitor': seenByMonitor.join('\n'),
      'MQTT seen by another node': seenByOther.join('\n'),
    };
    // Positive controls: each place holds what it should, so the scans below can find things.
    expect(seenByMonitor.some((m) => m.includes('/events '))).toBe(true);
    expect(places['audit log']).toContain(tokens[0]?.split('.')[0]);
    expect(places['agent journals']).toContain('kubeadm-join');
    expect(places['stand-in argv records']).toContain('"join"');
    expect(logLines.length).toBeGreaterThan(50);
    for (const [where, text] of Object.entries(places))
      for (const s of secretsToHide)
        expect(text.includes(s), `${where} must not contain a secret`).toBe(false);
    // The node's join config (0600, the only place the token was written) is gone again.
    expect(await readdir(join(w2.root, 'var/lib/osbuild/kubeadm')).catch(() => [])).toEqual([]);
  }, 90_000);
});
