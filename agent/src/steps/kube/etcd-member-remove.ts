import type { Executor } from '../types.js';
import { runKubeTool, whyFailed } from './run-kube-tool.js';

/** etcdctl talking to this control plane's local etcd with kubeadm's certificates. */
const ETCDCTL_TLS = [
  '--endpoints=https://127.0.0.1:2379',
  '--cacert=/etc/kubernetes/pki/etcd/ca.crt',
  '--cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt',
  '--key=/etc/kubernetes/pki/etcd/healthcheck-client.key',
];

interface MemberList {
  members?: Array<{ ID: number | string; name?: string }>;
}

/** Remove another control plane's etcd member by name; a member already gone is success. */
export const etcdMemberRemove: Executor<'etcd-member-remove'> = async (step, ctx) => {
  const list = await runKubeTool(ctx, 'etcdctl', [...ETCDCTL_TLS, 'member', 'list', '-w', 'json']);
  if (list.exitCode !== 0)
    return { status: 'failed', error: whyFailed('etcdctl member list', list), exitCode: list.exitCode };
  let parsed: MemberList;
  try {
    // Member IDs are uint64 printed as JSON numbers: quote them before parsing, or the ones past
    // 2^53 lose their last digits and `member remove` names a member that does not exist.
    parsed = JSON.parse(list.stdout.replace(/"ID"\s*:\s*(\d+)/g, '"ID":"$1"')) as MemberList;
  } catch {
    return { status: 'failed', error: 'etcdctl member list printed no JSON' };
  }
  const member = parsed.members?.find((m) => m.name === step.memberName);
  if (!member) {
    ctx.output('stdout', `etcd has no member ${step.memberName}\n`);
    return { status: 'succeeded', changed: false };
  }
  // etcdctl prints IDs as decimal in JSON and takes them as hex.
  const id = BigInt(member.ID).toString(16);
  const res = await runKubeTool(ctx, 'etcdctl', [...ETCDCTL_TLS, 'member', 'remove', id]);
  if (res.exitCode !== 0)
    return { status: 'failed', error: whyFailed('etcdctl member remove', res), exitCode: res.exitCode };
  return { status: 'succeeded', changed: true, exitCode: 0 };
};
