/** One mount from /proc/mounts. */
export interface MountEntry {
  source: string;
  target: string;
  fstype: string;
}

/** Parse /proc/mounts (octal escapes such as `\040` in paths decoded). */
export function parseMounts(text: string): MountEntry[] {
  const decodeOctal = (s: string) =>
    s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 3 && f[0] !== '')
    .map(([source, target, fstype]) => ({
      source: decodeOctal(source ?? ''),
      target: decodeOctal(target ?? ''),
      fstype: fstype ?? '',
    }));
}

/** The mount holding `dir`: the last mounted, longest target that is a prefix of it. */
export function mountOf(mounts: MountEntry[], dir: string): MountEntry | null {
  let best: MountEntry | null = null;
  for (const m of mounts) {
    const inside = m.target === '/' || dir === m.target || dir.startsWith(`${m.target}/`);
    if (inside && (!best || m.target.length >= best.target.length)) best = m;
  }
  return best;
}

const isNfs = (fstype: string) => fstype === 'nfs' || fstype === 'nfs4';

/** What the prerequisite check read from the host; null where the file does not exist. */
export interface PrereqFacts {
  cgroupControllers: string | null;
  swaps: string | null;
  modules: string | null;
  /** Names of built-in or loaded modules seen under /sys/module. */
  sysModules: ReadonlySet<string>;
  ipForward: string | null;
  containerdActive: string;
  containerdConfig: string | null;
  mounts: string | null;
}

/** Directories kubelet and containerd keep state in; overlayfs cannot use NFS underneath. */
export const KUBE_STATE_DIRS = ['/var/lib/containerd', '/var/lib/kubelet'] as const;
/** Kernel modules kubeadm's preflight and the CNI need. */
export const REQUIRED_MODULES = ['br_netfilter', 'overlay'] as const;

/**
 * Every unmet prerequisite as a precise, actionable sentence; empty when kubeadm can run. Pure, so
 * each reason is tested on its own.
 */
export function checkPrereqs(f: PrereqFacts): string[] {
  const problems: string[] = [];
  if (f.cgroupControllers === null)
    problems.push('cgroup v2 is not mounted (/sys/fs/cgroup/cgroup.controllers is missing)');
  else if (!f.cgroupControllers.split(/\s+/).includes('memory'))
    problems.push(
      'the cgroup memory controller is not enabled (/sys/fs/cgroup/cgroup.controllers has no "memory"; add cgroup_enable=memory to the kernel command line)',
    );

  const swapLines = (f.swaps ?? '')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  if (swapLines.length > 0)
    problems.push(
      `swap is on (${swapLines.map((l) => l.split(/\s+/)[0]).join(', ')} in /proc/swaps); kubelet refuses to start with swap`,
    );

  const loaded = new Set((f.modules ?? '').split('\n').map((l) => l.split(/\s+/)[0]));
  for (const mod of REQUIRED_MODULES)
    if (!loaded.has(mod) && !f.sysModules.has(mod))
      problems.push(`kernel module ${mod} is not loaded (not in /proc/modules or /sys/module)`);

  if ((f.ipForward ?? '').trim() !== '1')
    problems.push(
      `IPv4 forwarding is off (/proc/sys/net/ipv4/ip_forward is ${f.ipForward === null ? 'missing' : `"${f.ipForward.trim()}"`}, set net.ipv4.ip_forward=1)`,
    );

  if (f.containerdActive !== 'active')
    problems.push(`containerd is not running (systemctl is-active containerd: ${f.containerdActive})`);
  if (f.containerdConfig === null) problems.push('/etc/containerd/config.toml is missing');
  else if (!/^\s*SystemdCgroup\s*=\s*true\s*$/m.test(f.containerdConfig))
    problems.push(
      '/etc/containerd/config.toml does not set SystemdCgroup = true (kubelet uses the systemd cgroup driver)',
    );

  const mounts = parseMounts(f.mounts ?? '');
  const root = mountOf(mounts, '/');
  if (root && isNfs(root.fstype)) {
    for (const dir of KUBE_STATE_DIRS) {
      const m = mountOf(mounts, dir);
      if (m && isNfs(m.fstype))
        problems.push(
          `${dir} is on NFS (${m.source}, ${m.fstype}) on this netboot node; overlayfs cannot use NFS: mount local storage or tmpfs there`,
        );
    }
  }
  return problems;
}
