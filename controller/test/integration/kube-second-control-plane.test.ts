import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { QuorumError } from '../../src/kubernetes/disruption.js';
import { ask, phases, useCleanups, waitFor } from '../support/e2e.js';
import { startKubeAgent, startKubeController } from '../support/kube-cluster.js';

const cleanups = useCleanups();

describe('a second control plane (stand-in kube-apiserver, kubeadm and etcdctl)', () => {
  it('joins with a certificate key from cp-01, one control-plane operation at a time, and leaves etcd cleanly', async () => {
    const { standins, controller } = await startKubeController({ extraCp: true });
    cleanups.push(
      () => standins.close(),
      () => controller.stop(),
    );
    standins.api.autoReadyMs = 100;
    const cp1 = await startKubeAgent(controller, standins, 'pi5-a');
    // cp-01 is planned first, so it is the one that initialises; cp-02 then boots while cp-01 works.
    await waitFor('cp-01 planned', async () =>
      (await ask(controller, phases))['cp-01'] === 'provisioning' ? true : null,
    );
    const cp2 = await startKubeAgent(controller, standins, 'pi5-c');
    cleanups.push(
      () => cp1.agent.stop(),
      () => cp2.agent.stop(),
    );
    await waitFor(
      'both control planes ready',
      async () => {
        const p = await ask(controller, phases);
        return p['cp-01'] === 'ready' && p['cp-02'] === 'ready' ? p : null;
      },
      40_000,
    );
    const calls = (await standins.calls()).filter((c) => c.tool === 'kubeadm');
    // Strictly one after the other: init on cp-01, upload-certs on cp-01, then the join of cp-02.
    expect(
      calls.map((c) => `${c.root === cp1.root ? 'cp-01' : 'cp-02'} ${c.argv.slice(0, 3).join(' ')}`),
    ).toEqual([
      `cp-01 init --config ${join(cp1.root, 'var/lib/osbuild/kubeadm/init.yaml')}`,
      'cp-01 init phase upload-certs',
      `cp-02 join --config ${join(cp2.root, 'var/lib/osbuild/kubeadm/join.yaml')}`,
    ]);
    const members = JSON.parse(await readFile(join(standins.dir, 'etcd-members.json'), 'utf8')) as Array<{
      name: string;
    }>;
    expect(members.map((m) => m.name)).toEqual(['cp-01', 'cp-02']);
    expect(standins.api.node('cp-02')?.metadata.labels).toHaveProperty(
      'node-role.kubernetes.io/control-plane',
    );

    // The certificate key never reached the controller's logs, store or audit log.
    const key = (JSON.parse(await readFile(join(standins.dir, 'cert-key.json'), 'utf8')) as { key: string })
      .key;
    const audit = await readFile(auditLogPath(controller.dataDir), 'utf8');
    expect(audit).toContain('"certificate-key"');
    expect(audit).not.toContain(key);
    expect((await readFile(join(controller.dataDir, 'osbuild.db'))).toString('latin1')).not.toContain(key);

    // Quorum: with two members, taking one down is refused unless forced.
    const cluster = controller.cluster;
    if (!cluster) throw new Error('controller has no Kubernetes module');
    await expect(
      cluster.disruption(5_000).beforeDisruption('cp-02', { force: false }),
    ).rejects.toBeInstanceOf(QuorumError);
    await cluster.disruption(5_000).beforeDisruption('cp-02', { force: true });
    // Removal takes the etcd member out through cp-01's agent, then deletes the Node.
    await cluster.removeNode('cp-02');
    const left = JSON.parse(await readFile(join(standins.dir, 'etcd-members.json'), 'utf8')) as Array<{
      name: string;
    }>;
    expect(left.map((m) => m.name)).toEqual(['cp-01']);
    expect(standins.api.nodeNames()).toEqual(['cp-01']);
    const etcdctl = (await standins.calls()).filter((c) => c.tool === 'etcdctl');
    expect(etcdctl.every((c) => c.root === cp1.root)).toBe(true);
    await expect(cluster.removeNode('cp-01')).rejects.toThrow('cp-01 is the last control plane');
  }, 90_000);
});
