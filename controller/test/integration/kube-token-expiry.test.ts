import { describe, expect, it } from 'vitest';
import { ask, phases, useCleanups, waitFor } from '../support/e2e.js';
import { startKubeAgent, startKubeController } from '../support/kube-cluster.js';

const cleanups = useCleanups();

describe('just-in-time tokens run out (stand-in kube-apiserver and kubeadm)', () => {
  it('replaces an expired token with a fresh one on the retry; reprovision removes the Node through the seam', async () => {
    const { standins, controller } = await startKubeController({ ttlMinutes: 1 });
    cleanups.push(
      () => standins.close(),
      () => controller.stop(),
    );
    standins.api.autoReadyMs = 100;
    const created: string[] = [];
    standins.api.onTokenCreated = (id) => {
      created.push(id);
      // The first token runs out before the node uses it (a board that took too long to boot).
      if (created.length === 1) standins.api.expireToken(id);
    };
    const cp = await startKubeAgent(controller, standins, 'pi5-a');
    cleanups.push(() => cp.agent.stop());
    await waitFor(
      'cp-01 ready',
      async () => ((await ask(controller, phases))['cp-01'] === 'ready' ? true : null),
      30_000,
    );
    const w = await startKubeAgent(controller, standins, 'pi5-b');
    cleanups.push(() => w.agent.stop());
    await waitFor(
      'w-01 ready',
      async () => ((await ask(controller, phases))['w-01'] === 'ready' ? true : null),
      30_000,
    );

    expect(created).toHaveLength(2);
    expect(created[0]).not.toBe(created[1]);
    const joins = (await standins.calls()).filter((c) => c.tool === 'kubeadm' && c.argv[0] === 'join');
    expect(joins).toHaveLength(2);
    const detail = await ask(controller, (rpc) => rpc.call('nodes.show', { name: 'w-01' }));
    expect(detail.run?.steps.find((st) => st.kind === 'kubeadm-join')).toMatchObject({
      state: 'succeeded',
      attempt: 2,
    });
    // Both tokens are gone: the expired one after the failed attempt, the used one once the Node appeared.
    await waitFor('no tokens', async () => (standins.api.secrets().length === 0 ? true : null));

    // Reprovision: the seam drains, then removeNode deletes the Node; the phase follows the watch.
    const cluster = controller.cluster;
    if (!cluster) throw new Error('controller has no Kubernetes module');
    standins.api.addPod('shop', 'web-1', 'w-01');
    await cluster.disruption(5_000).beforeDisruption('w-01', { force: false });
    expect(standins.api.pods()).toEqual([]);
    expect(standins.api.node('w-01')?.spec.unschedulable).toBe(true);
    await cluster.removeNode('w-01');
    expect(standins.api.nodeNames()).toEqual(['cp-01']);
    await waitFor('w-01 back to provisioned', async () =>
      (await ask(controller, phases))['w-01'] === 'provisioned' ? true : null,
    );
  }, 90_000);
});
