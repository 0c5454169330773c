// NFS exports, one read-write root per netboot node, rendered for both servers we support: the
// kernel's nfs-kernel-server (/etc/exports) and nfs-ganesha (EXPORT blocks).
import type { NetbootConfig } from './config.js';
import type { NetbootNode } from './plan.js';

/** Who may mount a node's root: its own address when known, else the boot subnet. */
export function exportClient(config: NetbootConfig, node: NetbootNode): string {
  return node.ip ?? `${config.network}/${config.prefix}`;
}

/**
 * A stable export id per node (FNV-1a of its name), so adding a node never renumbers the others
 * and a running node's file handles stay valid across a reload. Collisions probe upwards.
 */
export function exportIds(nodes: readonly NetbootNode[]): Map<string, number> {
  const ids = new Map<string, number>();
  const used = new Set<number>();
  for (const node of nodes) {
    let id = 2 + (fnv1a(node.name) % 60_000); // 0 and 1 are the pseudo root's in ganesha
    while (used.has(id)) id = id >= 60_001 ? 2 : id + 1;
    used.add(id);
    ids.set(node.name, id);
  }
  return ids;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

const HEADER = '# Rendered by `osbuild netboot render` from nodes.yaml; edits are overwritten.';

/** /etc/exports lines for nfs-kernel-server. no_root_squash: the node's own root owns its files. */
export function renderKernelExports(config: NetbootConfig, nodes: readonly NetbootNode[]): string {
  const ids = exportIds(nodes);
  const lines = nodes.map(
    (n) =>
      `${n.rootPath} ${exportClient(config, n)}(rw,sync,no_subtree_check,no_root_squash,fsid=${ids.get(n.name)})`,
  );
  return `${[HEADER, ...lines].join('\n')}\n`;
}

/**
 * EXPORT blocks for nfs-ganesha (included from its main configuration). NFSv4 over TCP only; the
 * pseudo path equals the real path so one `nfsroot=` works with either server.
 */
export function renderGaneshaExports(config: NetbootConfig, nodes: readonly NetbootNode[]): string {
  const ids = exportIds(nodes);
  const blocks = nodes.map((n) =>
    [
      `# ${n.name} (image ${n.image})`,
      'EXPORT {',
      `  Export_Id = ${ids.get(n.name)};`,
      `  Path = "${n.rootPath}";`,
      `  Pseudo = "${n.rootPath}";`,
      '  Protocols = 4;',
      '  Transports = TCP;',
      '  Access_Type = None;',
      '  Squash = No_Root_Squash;',
      '  SecType = sys;',
      '  FSAL { Name = VFS; }',
      `  CLIENT { Clients = ${exportClient(config, n)}; Access_Type = RW; }`,
      '}',
    ].join('\n'),
  );
  return `${[HEADER, ...blocks].join('\n\n')}\n`;
}

/**
 * nfs-ganesha's main configuration: NFSv4 only over TCP, so no rpcbind, NLM or rquota (the
 * kernel here has no nfsd; ganesha serves from user space). Graceless: a restart after a root
 * reset must not block every node's opens for the 90 s grace period. The exports come from the
 * rendered generation through `current`.
 */
export function renderGaneshaMain(config: NetbootConfig, exportsFile: string): string {
  return [
    '# Rendered by `osbuild netboot render` from netboot.yaml; edits are overwritten.',
    'NFS_CORE_PARAM {',
    '  Protocols = 4;',
    '  NFS_Port = 2049;',
    `  Bind_addr = ${config.server};`,
    '  Enable_NLM = false;',
    '  Enable_RQUOTA = false;',
    '  Enable_UDP = false;',
    '}',
    'NFSV4 {',
    '  Graceless = true;',
    // Owners as numbers ("0", not "root@localdomain"): a client whose root is this export would
    // otherwise map every owner name through the request-key upcall, whose helper is exec'd from
    // the same NFS root, and the first stat hangs forever (seen: systemd, pid 1, blocked in
    // nfs_idmap_get_key). Numeric owners need no idmapping on either side (sec=sys).
    '  Only_Numeric_Owners = true;',
    '  RecoveryBackend = fs;',
    '}',
    'NFS_KRB5 { Active_krb5 = false; }',
    'EXPORT_DEFAULTS {',
    // libnfs clients not running as root use unprivileged source ports. (PrivilegedPort: ganesha
    // 4.3 reports `Privileged_Port` as an unknown parameter.)
    '  PrivilegedPort = false;',
    '}',
    `%include "${exportsFile}"`,
    '',
  ].join('\n');
}
