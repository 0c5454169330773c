import path from 'node:path';
import { exists, readTextOrNull, writeFileAtomic } from '../../host/fs-util.js';
import { checkoutCommit } from '../git-checkout.js';
import type { Executor } from '../types.js';
import { renderInitConfig } from './kubeadm-config.js';
import { runKubeTool, whyFailed } from './run-kube-tool.js';

/** Where kubeadm writes the cluster admin's kubeconfig. */
const ADMIN_CONF = '/etc/kubernetes/admin.conf';

/**
 * First control plane: `kubeadm init --config FILE`, the CNI manifest from the bootstrap repo at
 * the pinned commit, and the admin kubeconfig back to the controller as the result's secret.
 * Repeating it on an initialised node only re-applies the manifest and returns the kubeconfig.
 */
export const kubeadmInit: Executor<'kubeadm-init'> = async (step, ctx) => {
  const adminConf = ctx.paths.resolve(ADMIN_CONF);
  let changed = false;
  if (!(await exists(adminConf))) {
    const file = path.join(ctx.stateDir, 'kubeadm', 'init.yaml');
    await writeFileAtomic(file, renderInitConfig(step), 0o600);
    const res = await runKubeTool(ctx, 'kubeadm', ['init', '--config', file]);
    if (res.exitCode !== 0)
      return { status: 'failed', error: whyFailed('kubeadm init', res), exitCode: res.exitCode };
    changed = true;
  } else {
    ctx.output('stdout', `already initialised (${ADMIN_CONF} exists)\n`);
  }

  if (step.cniManifest) {
    let dir: string;
    try {
      dir = await checkoutCommit(ctx.exec, ctx.stateDir, step.repo, step.commit, ctx.signal);
    } catch (err) {
      if (ctx.signal.aborted) throw err;
      return { status: 'failed', error: `bootstrap repo: ${(err as Error).message}` };
    }
    const manifest = path.join(dir, step.cniManifest);
    if (!(await exists(manifest)))
      return { status: 'failed', error: `CNI manifest ${step.cniManifest} not found at ${step.commit}` };
    // `apply` is idempotent, so a repeated step converges instead of failing on existing objects.
    const res = await runKubeTool(ctx, 'kubectl', ['--kubeconfig', adminConf, 'apply', '-f', manifest]);
    if (res.exitCode !== 0)
      return { status: 'failed', error: whyFailed('kubectl apply', res), exitCode: res.exitCode };
  }

  const kubeconfig = await readTextOrNull(adminConf);
  if (!kubeconfig) return { status: 'failed', error: `kubeadm init left no ${ADMIN_CONF}` };
  return { status: 'succeeded', changed, exitCode: 0, secret: kubeconfig };
};
