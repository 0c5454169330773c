import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { KUBE_READY_FILES, makeKubeReady } from '@osbuild/test-support/kube-host';
import { describe, expect, it } from 'vitest';
import { kubePrereqs } from '../../src/steps/kube/kube-prereqs.js';
import { checkPrereqs, mountOf, type PrereqFacts, parseMounts } from '../../src/steps/kube/prereq-checks.js';
import { fixtureContext, step } from '../support/step-context.js';

const READY: PrereqFacts = {
  cgroupControllers: KUBE_READY_FILES['/sys/fs/cgroup/cgroup.controllers'] ?? null,
  swaps: KUBE_READY_FILES['/proc/swaps'] ?? null,
  modules: KUBE_READY_FILES['/proc/modules'] ?? null,
  sysModules: new Set(),
  ipForward: '1\n',
  containerdActive: 'active',
  containerdConfig: KUBE_READY_FILES['/etc/containerd/config.toml'] ?? null,
  mounts: '/dev/nvme0n1p2 / ext4 rw 0 0\n',
};
const NFS_ROOT = '10.0.0.1:/srv/roots/a / nfs4 rw,vers=4.1 0 0\n';

describe('kube-prereqs checks (pure)', () => {
  it('passes a node with everything kubeadm needs', () => {
    expect(checkPrereqs(READY)).toEqual([]);
  });

  it.each([
    [{ cgroupControllers: 'cpuset cpu io pids\n' }, 'the cgroup memory controller is not enabled'],
    [{ cgroupControllers: null }, 'cgroup v2 is not mounted'],
    [
      { swaps: `${READY.swaps}/dev/zram0 partition 524284 0 100\n` },
      'swap is on (/dev/zram0 in /proc/swaps)',
    ],
    [{ modules: 'overlay 163840 0 - Live 0x0\n' }, 'kernel module br_netfilter is not loaded'],
    [{ ipForward: '0\n' }, 'IPv4 forwarding is off (/proc/sys/net/ipv4/ip_forward is "0"'],
    [{ containerdActive: 'failed' }, 'containerd is not running (systemctl is-active containerd: failed)'],
    [{ containerdConfig: 'version = 2\n  SystemdCgroup = false\n' }, 'does not set SystemdCgroup = true'],
    [{ containerdConfig: null }, '/etc/containerd/config.toml is missing'],
    [
      { mounts: NFS_ROOT },
      '/var/lib/containerd is on NFS (10.0.0.1:/srv/roots/a, nfs4) on this netboot node',
    ],
  ] as Array<[Partial<PrereqFacts>, string]>)('fails with a precise reason: %o', (change, reason) => {
    const problems = checkPrereqs({ ...READY, ...change });
    expect(problems.some((p) => p.startsWith(reason) || p.includes(reason))).toBe(true);
  });

  it('takes a built-in module from /sys/module and a netboot node with local state mounts', () => {
    expect(checkPrereqs({ ...READY, modules: '', sysModules: new Set(['br_netfilter', 'overlay']) })).toEqual(
      [],
    );
    const mounts = `${NFS_ROOT}tmpfs /var/lib/containerd tmpfs rw 0 0\n/dev/nvme0n1p1 /var/lib/kubelet ext4 rw 0 0\n`;
    expect(checkPrereqs({ ...READY, mounts })).toEqual([]);
  });

  it('finds the mount holding a directory, decoding octal escapes', () => {
    const m = parseMounts(
      '/dev/a / ext4 rw 0 0\n/dev/b /var/lib ext4 rw 0 0\n/dev/c /var/lib\\040x xfs rw 0 0\n',
    );
    expect(mountOf(m, '/var/lib/kubelet')?.source).toBe('/dev/b');
    expect(mountOf(m, '/var/lib x/y')?.fstype).toBe('xfs');
    expect(mountOf(m, '/etc')?.source).toBe('/dev/a');
  });
});

describe('kube-prereqs step on fixture roots', () => {
  it('succeeds on a ready Pi 5 root', async () => {
    const { ctx, root, output } = await fixtureContext('pi5-a');
    await makeKubeReady(root);
    expect(await kubePrereqs(step({ kind: 'kube-prereqs' }), ctx)).toEqual({
      status: 'succeeded',
      changed: false,
    });
    expect(output.map((o) => o.text).join('')).toContain('all Kubernetes prerequisites met');
  });

  it('fails the netboot board whose kubelet state is on NFS, naming the directory', async () => {
    const { ctx, root } = await fixtureContext('pi5-b');
    await makeKubeReady(root, {}, false);
    const out = await kubePrereqs(step({ kind: 'kube-prereqs' }), ctx);
    expect(out.status).toBe('failed');
    // pi5-b's fixture already has containerd on tmpfs; kubelet is still on the NFS root.
    expect(out.status === 'failed' && out.error).toBe(
      '/var/lib/kubelet is on NFS (10.0.0.1:/srv/osbuild/roots/pi5-b, nfs4) on this netboot node; overlayfs cannot use NFS: mount local storage or tmpfs there',
    );
  });

  it('reports every unmet prerequisite of an unprepared root at once', async () => {
    const { ctx, root } = await fixtureContext('pi5-a');
    await writeFile(path.join(root, 'run/osbuild/service-state/containerd'), 'inactive\n');
    const out = await kubePrereqs(step({ kind: 'kube-prereqs' }), ctx);
    expect(out.status === 'failed' && out.error.split('; ')).toEqual([
      'cgroup v2 is not mounted (/sys/fs/cgroup/cgroup.controllers is missing)',
      'kernel module br_netfilter is not loaded (not in /proc/modules or /sys/module)',
      'kernel module overlay is not loaded (not in /proc/modules or /sys/module)',
      'IPv4 forwarding is off (/proc/sys/net/ipv4/ip_forward is missing, set net.ipv4.ip_forward=1)',
      'containerd is not running (systemctl is-active containerd: inactive)',
      '/etc/containerd/config.toml is missing',
    ]);
  });
});
