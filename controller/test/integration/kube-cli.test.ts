import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startStandinKubeApiServer } from '@osbuild/test-support/standin-kube-apiserver';
import { describe, expect, it } from 'vitest';
import { kubeconfigPath } from '../../src/kubernetes/kubeconfig-file.js';
import { runCli } from '../support/cli-harness.js';
import { makeWorkspace, startTestController, useCleanups, waitFor } from '../support/e2e.js';
import { startKubeAgent, startKubeController } from '../support/kube-cluster.js';

const cleanups = useCleanups();

describe('osbuild cluster adopt|status and nodes why (stand-in kube-apiserver)', () => {
  it('adopts a cluster from a kubeconfig file; the running controller follows it', async () => {
    const api = await startStandinKubeApiServer();
    cleanups.push(() => api.close());
    const ws = await makeWorkspace('nodes: []\n');
    const controller = await startTestController(ws);
    cleanups.push(() => controller.stop());
    const env = { OSBUILD_DATA_DIR: controller.dataDir };

    const before = await runCli(['cluster', 'status', '-o', 'json'], { env });
    expect(before.code).toBe(0);
    expect(JSON.parse(before.stdout)).toMatchObject({ managed: false, nodes: [] });

    const kc = join(ws.dir, 'admin.conf');
    await writeFile(kc, api.adminKubeconfig(), { mode: 0o600 });
    const adopt = await runCli(['cluster', 'adopt', '--kubeconfig', kc, '-o', 'json'], { env });
    expect(adopt.code).toBe(0);
    expect(JSON.parse(adopt.stdout)).toEqual({
      server: api.url,
      nodes: [],
      storedAt: kubeconfigPath(controller.dataDir),
    });
    expect(adopt.stdout).not.toContain(api.adminToken);
    expect((await stat(kubeconfigPath(controller.dataDir))).mode & 0o777).toBe(0o600);

    const after = await waitFor('controller follows the adopted cluster', async () => {
      const r = await runCli(['cluster', 'status', '-o', 'json'], { env });
      const s = JSON.parse(r.stdout) as { managed: boolean; server: string };
      return s.managed ? s : null;
    });
    expect(after.server).toBe(api.url);
  });

  it('refuses a missing, malformed or unreachable kubeconfig with distinct exit codes', async () => {
    const ws = await makeWorkspace('nodes: []\n');
    const env = { OSBUILD_DATA_DIR: ws.dataDir };
    const missing = await runCli(['cluster', 'adopt', '--kubeconfig', join(ws.dir, 'nope.conf')], { env });
    expect([missing.code, missing.stderr]).toEqual([3, expect.stringContaining('no kubeconfig at')]);
    await writeFile(join(ws.dir, 'bad.conf'), 'apiVersion: v1\nkind: Config\n');
    const bad = await runCli(['cluster', 'adopt', '--kubeconfig', join(ws.dir, 'bad.conf')], { env });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('is not a usable kubeconfig')]);
    const api = await startStandinKubeApiServer();
    const text = api.adminKubeconfig();
    await api.close();
    await writeFile(join(ws.dir, 'gone.conf'), text);
    const gone = await runCli(['cluster', 'adopt', '--kubeconfig', join(ws.dir, 'gone.conf')], { env });
    expect([gone.code, gone.stderr]).toEqual([5, expect.stringContaining('cannot list Nodes at')]);
    await expect(stat(kubeconfigPath(ws.dataDir))).rejects.toThrow();
  });

  it('nodes why explains a joined node that is not Ready with its Node conditions', async () => {
    const { standins, controller } = await startKubeController();
    cleanups.push(
      () => standins.close(),
      () => controller.stop(),
    );
    const { agent } = await startKubeAgent(controller, standins, 'pi5-a');
    cleanups.push(() => agent.stop());
    const env = { OSBUILD_DATA_DIR: controller.dataDir };
    const why = await waitFor(
      'cp-01 joined',
      async () => {
        const r = await runCli(['nodes', 'why', 'cp-01', '-o', 'json'], { env });
        const w = JSON.parse(r.stdout) as { phase: string; waitingFor: string };
        return w.phase === 'joined' ? w : null;
      },
      30_000,
    );
    expect(why.waitingFor).toBe(
      'kubelet to report Ready. Node cp-01 is not Ready: Ready=False (KubeletNotReady): container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized',
    );
    const text = await runCli(['cluster', 'status'], { env });
    expect(text.stdout).toContain('cp-01');
    expect(text.stdout).toContain('NotReady');
    standins.api.setNodeReady('cp-01', true);
    await waitFor('cp-01 ready', async () => {
      const r = await runCli(['nodes', 'why', 'cp-01', '-o', 'json'], { env });
      return (JSON.parse(r.stdout) as { phase: string }).phase === 'ready' ? true : null;
    });
  }, 60_000);
});
