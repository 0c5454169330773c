import type { Executor } from '../types.js';
import { runKubeTool, whyFailed } from './run-kube-tool.js';

/**
 * `kubeadm init phase upload-certs --upload-certs` on a control plane: kubeadm re-encrypts the
 * control-plane certificates into the kubeadm-certs Secret (valid two hours) and prints the key on
 * its last line. The key goes to the controller as the result's secret; the output is redacted.
 */
export const kubeadmUploadCerts: Executor<'kubeadm-upload-certs'> = async (_step, ctx) => {
  const res = await runKubeTool(ctx, 'kubeadm', ['init', 'phase', 'upload-certs', '--upload-certs']);
  const stdout = res.stdout;
  if (res.exitCode !== 0)
    return { status: 'failed', error: whyFailed('kubeadm upload-certs', res), exitCode: res.exitCode };
  const key = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim())
    .reverse()
    .find((l) => /^[0-9a-f]{64}$/.test(l));
  if (!key) return { status: 'failed', error: 'kubeadm upload-certs printed no certificate key' };
  return { status: 'succeeded', changed: true, exitCode: 0, secret: key };
};
