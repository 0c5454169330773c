import { readdir } from 'node:fs/promises';
import { readTextOrNull } from '../../host/fs-util.js';
import { readServiceStates } from '../../telemetry/services.js';
import type { Executor } from '../types.js';
import { checkPrereqs } from './prereq-checks.js';

async function listOrEmpty(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return new Set();
  }
}

/** Read the facts kubeadm depends on through the host root and fail with every unmet one. */
export const kubePrereqs: Executor<'kube-prereqs'> = async (_step, ctx) => {
  const read = (p: string) => readTextOrNull(ctx.paths.resolve(p));
  const services = await readServiceStates(ctx.paths, ctx.exec);
  const problems = checkPrereqs({
    cgroupControllers: await read('/sys/fs/cgroup/cgroup.controllers'),
    swaps: await read('/proc/swaps'),
    modules: await read('/proc/modules'),
    sysModules: await listOrEmpty(ctx.paths.resolve('/sys/module')),
    ipForward: await read('/proc/sys/net/ipv4/ip_forward'),
    containerdActive: services.containerd,
    containerdConfig: await read('/etc/containerd/config.toml'),
    mounts: await read('/proc/mounts'),
  });
  for (const p of problems) ctx.output('stderr', `prerequisite not met: ${p}\n`);
  if (problems.length === 0) {
    ctx.output('stdout', 'all Kubernetes prerequisites met\n');
    return { status: 'succeeded', changed: false };
  }
  return { status: 'failed', error: problems.join('; ') };
};
