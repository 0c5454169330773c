import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** What a host root looks like where kubeadm can run (the image's Kubernetes layer, DESIGN.md 6). */
export const KUBE_READY_FILES: Record<string, string> = {
  '/sys/fs/cgroup/cgroup.controllers': 'cpuset cpu io memory hugetlb pids rdma misc\n',
  '/proc/swaps': 'Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n',
  '/proc/modules':
    'br_netfilter 36864 0 - Live 0x0000000000000000\noverlay 163840 0 - Live 0x0000000000000000\n',
  '/proc/sys/net/ipv4/ip_forward': '1\n',
  '/run/osbuild/service-state/containerd': 'active\n',
  '/etc/containerd/config.toml':
    'version = 2\n[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]\n  SystemdCgroup = true\n',
};

/** What the image mounts on a netboot node so containerd and kubelet state is not on NFS. */
export const NETBOOT_STATE_MOUNTS =
  'tmpfs /var/lib/containerd tmpfs rw,nosuid,nodev,size=4g 0 0\ntmpfs /var/lib/kubelet tmpfs rw,nosuid,nodev,size=1g 0 0\n';

/**
 * Write the files of a kubeadm-ready node into a (copied) host root; `override` replaces some
 * (null: leave that file out). A netboot root (NFS in /proc/mounts) also gets the image's local
 * mounts for containerd and kubelet state unless `netbootStateMounts` is false.
 */
export async function makeKubeReady(
  root: string,
  override: Record<string, string | null> = {},
  netbootStateMounts = true,
): Promise<void> {
  const files = { ...KUBE_READY_FILES, ...override };
  for (const [p, content] of Object.entries(files)) {
    if (content === null) continue;
    const file = path.join(root, p);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  const mounts = path.join(root, 'proc/mounts');
  const text = await readFile(mounts, 'utf8').catch(() => '');
  if (netbootStateMounts && / \/ nfs4? /.test(text)) await appendFile(mounts, NETBOOT_STATE_MOUNTS);
}
