import { rm } from 'node:fs/promises';
import { provisionedFile } from '../journal/provisioned.js';
import type { Executor } from './types.js';

/**
 * First half of a reprovision: reset Kubernetes state (kubeadm, when installed) and remove the
 * provisioned marker, so the next hello tells the controller this node needs its plan again.
 */
export const resetNode: Executor<'reset-node'> = async (_step, ctx) => {
  let kubeadm: boolean;
  try {
    const res = await ctx.host.resetKubernetes(ctx.signal);
    kubeadm = res.kubeadm;
    if (res.output) ctx.output('stdout', res.output);
  } catch (err) {
    return { status: 'failed', error: (err as Error).message, exitCode: null };
  }
  ctx.output(
    'stdout',
    kubeadm ? 'kubeadm reset -f done\n' : 'kubeadm not installed: no Kubernetes state to reset\n',
  );
  await rm(provisionedFile(ctx.stateDir), { force: true });
  ctx.output('stdout', 'provisioned marker removed\n');
  return { status: 'succeeded', changed: true };
};
