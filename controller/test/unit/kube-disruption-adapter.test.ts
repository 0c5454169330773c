// The reboot/reprovision commands' Disruption seam backed by the Kubernetes module: drain before
// either, and a reprovision also removes the Node (the node comes back as a new one).
import { describe, expect, it } from 'vitest';
import { kubeDisruptionAdapter } from '../../src/kubernetes/disruption-adapter.js';
import type { NodeRecord } from '../../src/store/node-store.js';

function cluster(managed: boolean) {
  const calls: string[] = [];
  return {
    calls,
    api: (managed ? {} : null) as never,
    disruption: () => ({
      async beforeDisruption(name: string, { force }: { force: boolean }) {
        calls.push(`drain ${name}${force ? ' --force' : ''}`);
      },
    }),
    async removeNode(name: string, { force }: { force?: boolean } = {}) {
      calls.push(`remove ${name}${force ? ' --force' : ''}`);
    },
  };
}

const node = (hostname: string | null) => ({ node_id: 'n-1', hostname }) as NodeRecord;

describe('kubeDisruptionAdapter', () => {
  it('drains before a reboot and leaves the Node in place', async () => {
    const c = cluster(true);
    await kubeDisruptionAdapter(c).beforeDisruption(node('w-01'), { force: false, action: 'reboot' });
    expect(c.calls).toEqual(['drain w-01']);
  });

  it('drains, then removes the Node before a reprovision; force reaches both', async () => {
    const c = cluster(true);
    await kubeDisruptionAdapter(c).beforeDisruption(node('cp-02'), { force: true, action: 'reprovision' });
    expect(c.calls).toEqual(['drain cp-02 --force', 'remove cp-02 --force']);
  });

  it('does nothing without a managed cluster or for a node that has no hostname', async () => {
    const none = cluster(false);
    await kubeDisruptionAdapter(none).beforeDisruption(node('w-01'), { force: false, action: 'reprovision' });
    const managed = cluster(true);
    await kubeDisruptionAdapter(managed).beforeDisruption(node(null), {
      force: false,
      action: 'reprovision',
    });
    expect([...none.calls, ...managed.calls]).toEqual([]);
  });

  it('stops the command when the drain fails (nothing is removed)', async () => {
    const c = cluster(true);
    const failing = {
      ...c,
      disruption: () => ({
        async beforeDisruption() {
          throw new Error('pod web-0 blocked by PodDisruptionBudget web');
        },
      }),
    };
    await expect(
      kubeDisruptionAdapter(failing).beforeDisruption(node('w-01'), { force: false, action: 'reprovision' }),
    ).rejects.toThrow(/PodDisruptionBudget/);
    expect(c.calls).toEqual([]);
  });
});
