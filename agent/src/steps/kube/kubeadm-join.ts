import { rm } from 'node:fs/promises';
import path from 'node:path';
import { exists, writeFileAtomic } from '../../host/fs-util.js';
import type { Executor } from '../types.js';
import { renderJoinConfig } from './kubeadm-config.js';
import { runKubeTool, whyFailed } from './run-kube-tool.js';

/**
 * `kubeadm join --config FILE`. The token reaches kubeadm only inside the 0600 config file, never
 * argv; the file is deleted afterwards whatever happened.
 */
export const kubeadmJoin: Executor<'kubeadm-join'> = async (step, ctx) => {
  // kubelet.conf exists once a join has succeeded: a repeated step must not join twice.
  if (await exists(ctx.paths.resolve('/etc/kubernetes/kubelet.conf'))) {
    ctx.output('stdout', 'already joined (/etc/kubernetes/kubelet.conf exists)\n');
    return { status: 'succeeded', changed: false };
  }
  const token = ctx.secrets?.token;
  const caCertHash = ctx.secrets?.caCertHash;
  if (!token || !caCertHash)
    return { status: 'failed', error: 'the join command carried no token or CA hash' };
  if (step.controlPlane && !ctx.secrets?.certificateKey)
    return { status: 'failed', error: 'a control-plane join needs a certificate key and none was sent' };
  const file = path.join(ctx.stateDir, 'kubeadm', 'join.yaml');
  const known = [token, ctx.secrets?.certificateKey ?? ''];
  try {
    await writeFileAtomic(file, renderJoinConfig(step, { ...ctx.secrets, token, caCertHash }), 0o600);
    const res = await runKubeTool(ctx, 'kubeadm', ['join', '--config', file], known);
    if (res.exitCode === 0) return { status: 'succeeded', changed: true, exitCode: 0 };
    return { status: 'failed', error: whyFailed('kubeadm join', res), exitCode: res.exitCode };
  } finally {
    await rm(file, { force: true });
  }
};
