import { readFile, stat, writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { auditLogPath } from '../../src/audit/audit-log.js';
import { kubeconfigPath } from '../../src/kubernetes/kubeconfig-file.js';
import { ask, phases, useCleanups, waitFor } from '../support/e2e.js';
import { startKubeAgent, startKubeController } from '../support/kube-cluster.js';

const cleanups = useCleanups();

describe('Kubernetes cluster born from nothing (stand-in kube-apiserver and kubeadm)', () => {
  it('initialises cp-01, joins two workers with just-in-time tokens, follows them to ready', async () => {
    const { standins, controller, ws } = await startKubeController();
    cleanups.push(
      () => standins.close(),
      () => controller.stop(),
    );
    standins.api.autoReadyMs = 100;
    for (const f of ['pi5-a', 'pi5-b', 'pi5-c']) {
      const { agent } = await startKubeAgent(controller, standins, f);
      cleanups.push(() => agent.stop());
    }
    const final = await waitFor(
      'three ready nodes',
      async () => {
        const p = await ask(controller, phases);
        return Object.values(p).filter((x) => x === 'ready').length === 3 ? p : null;
      },
      40_000,
    );
    expect(final).toEqual({ 'cp-01': 'ready', 'w-01': 'ready', 'w-02': 'ready' });
    expect(standins.api.nodeNames().sort()).toEqual(['cp-01', 'w-01', 'w-02']);

    // The admin kubeconfig came back over cp-01's own result topic and is stored 0600.
    const kc = kubeconfigPath(controller.dataDir);
    expect((await stat(kc)).mode & 0o777).toBe(0o600);
    expect(await readFile(kc, 'utf8')).toContain(standins.api.url);

    const calls = await standins.calls();
    const kubeadm = calls.filter((c) => c.tool === 'kubeadm').map((c) => c.argv[0]);
    expect(kubeadm.sort()).toEqual(['init', 'join', 'join']);
    expect(calls.filter((c) => c.tool === 'kubectl')).toHaveLength(1);

    // Tokens are deleted once each Node appeared, including kubeadm init's default one.
    await waitFor('no bootstrap tokens left', async () =>
      standins.api.secrets().filter((s) => s.type === 'bootstrap.kubernetes.io/token').length === 0
        ? true
        : null,
    );
    const created = standins.api.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/secrets'));
    expect(created.map((r) => r.status)).toEqual([201, 201]);

    // Labels and taints from nodes.yaml, applied with a patch through the API.
    await waitFor('w-02 labelled and tainted', async () => {
      const n = standins.api.node('w-02');
      return n?.metadata.labels['osbuild.dev/rack'] === 'b' &&
        n.metadata.labels['osbuild.dev/site'] === 'lab' &&
        (n.spec.taints ?? []).some((t: { key: string }) => t.key === 'osbuild.dev/dedicated')
        ? true
        : null;
    });
    // kubeadm's own control-plane taint stays where it is.
    expect(standins.api.node('cp-01')?.spec.taints).toContainEqual({
      key: 'node-role.kubernetes.io/control-plane',
      effect: 'NoSchedule',
    });
    // nodes.yaml changes: the rack label goes, the taint goes; the Node follows without a restart.
    const inv = await readFile(ws.inventoryPath, 'utf8');
    await writeFile(
      ws.inventoryPath,
      inv.replace('    labels:\n      osbuild.dev/rack: b\n', '').replace(/ {4}taints:\n(.*\n){3}/, ''),
    );
    await waitFor('w-02 labels and taints synced', async () => {
      const n = standins.api.node('w-02');
      return n && !('osbuild.dev/rack' in n.metadata.labels) && (n.spec.taints ?? []).length === 0
        ? true
        : null;
    });
    const audit = await readFile(auditLogPath(controller.dataDir), 'utf8');
    expect(
      audit.split('\n').filter((l) => l.includes('"bootstrap-token"') && l.includes('secret.issued')),
    ).toHaveLength(2);
  }, 60_000);
});
