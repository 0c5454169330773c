// The two files of a node's TFTP folder that are not the image's: its kernel command line, which
// points the kernel at its own NFS root and the agent at the controller, and its config.txt.
import type { NetbootConfig } from './config.js';
import type { NetbootNode } from './plan.js';

/**
 * cmdline.txt, one line as the firmware requires. The claim secret is never on it (it is served
 * over TFTP and world-readable in /proc/cmdline); the agent gets a file path instead.
 */
export function renderCmdline(config: NetbootConfig, node: NetbootNode): string {
  const params = [
    'console=serial0,115200',
    'console=tty1',
    'root=/dev/nfs',
    // NFSv4.1 over TCP: ganesha serves v4 only and needs no rpcbind. [nfsroot.rst]
    `nfsroot=${config.server}:${node.rootPath},vers=4.1,proto=tcp`,
    'rw',
    'ip=dhcp',
    'rootwait',
    // kubelet refuses to start without the memory cgroup controller.
    'cgroup_enable=memory',
    'cgroup_memory=1',
    `osbuild.controller=${config.agent.controller}`,
    ...(config.agent.caFingerprint ? [`osbuild.ca_fingerprint=${config.agent.caFingerprint}`] : []),
    ...(config.agent.claimFile ? [`osbuild.claim_file=${config.agent.claimFile}`] : []),
    ...config.extraKernelArgs,
  ];
  return `${params.join(' ')}\n`;
}

/** The image's config.txt with a header naming the node and image; the image stays the source. */
export function renderConfigTxt(imageConfigTxt: string, node: NetbootNode): string {
  const body = imageConfigTxt.endsWith('\n') ? imageConfigTxt : `${imageConfigTxt}\n`;
  return `# osbuild netboot: ${node.name} (serial folder ${node.tftpFolder}), image ${node.image}\n${body}`;
}
