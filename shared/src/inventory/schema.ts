import { z } from 'zod';
import { macAddress } from '../protocol/identity.js';
import { nodeRole } from '../protocol/rpc.js';
import { networkStack } from '../protocol/steps.js';
import { CLUSTER_DEFAULTS, cidrsOverlap, clusterSchema } from './cluster-schema.js';

const ipv4 = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/,
    'expected an IPv4 address like 10.0.10.11',
  );
/** An IPv4 address with an optional /prefix, e.g. 10.0.10.11 or 10.0.10.11/24. */
const ipv4WithPrefix = z
  .string()
  .regex(
    /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([12]?\d|3[0-2]))?$/,
    'expected an IPv4 address like 10.0.10.11 or 10.0.10.11/24',
  );
const hostname = z
  .string()
  .regex(
    /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/,
    'expected a lowercase RFC 1123 hostname label like k8s-worker-01',
  );
const serial = z
  .string()
  .transform((s) => s.toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{8,16}$/, 'expected the Pi serial number as 8-16 hex digits'));

/** A Kubernetes taint as kubeadm and `kubectl taint` take it. */
export const taintSchema = z.strictObject({
  key: z.string().min(1),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']),
});

/** Static network settings; per-node values override `defaults.network`. */
export const networkSettings = z.strictObject({
  interface: z.string().min(1).optional(),
  prefix: z.number().int().min(1).max(32).optional(),
  gateway: ipv4.optional(),
  dns: z.array(ipv4).optional(),
  stack: networkStack.optional(),
});

/** An image version name as image-build writes it under `out/<version>/`. */
const imageVersion = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'expected an image version like 2026.11.25-1');

/**
 * Network boot for one board (issue 7): its kernel comes over TFTP and its root over NFS from the
 * netboot server. `image` picks the imported image version; `defaults.netboot.image` otherwise.
 */
export const netbootNodeSettings = z.strictObject({
  image: imageVersion.optional(),
});

/** One board in the inventory. The original `mac/hostname/role/ip` entries are valid as they are. */
export const inventoryNodeSchema = z
  .strictObject({
    mac: macAddress.optional(),
    serial: serial.optional(),
    hostname,
    role: nodeRole,
    /** Static address; omit for DHCP. A /prefix here wins over defaults.network.prefix. */
    ip: ipv4WithPrefix.optional(),
    labels: z.record(z.string(), z.string()).optional(),
    taints: z.array(taintSchema).optional(),
    network: networkSettings.optional(),
    /** Present: the board boots from the network (`netboot: {}` takes the default image). */
    netboot: netbootNodeSettings.optional(),
  })
  .refine((n) => n.mac !== undefined || n.serial !== undefined, {
    message: 'a node needs a mac or a serial to be recognised',
    path: ['mac'],
  })
  // The Pi 5 bootloader asks TFTP for `<serial>/...` (TFTP_PREFIX=0), so a netboot board is
  // known by its serial number. [Raspberry Pi bootloader configuration, TFTP_PREFIX]
  .refine((n) => n.netboot === undefined || n.serial !== undefined, {
    message: 'a netboot node needs its serial: the Pi 5 bootloader fetches <serial>/ over TFTP',
    path: ['serial'],
  });
/** Inferred {@link inventoryNodeSchema}. */
export type InventoryNode = z.infer<typeof inventoryNodeSchema>;

/** A script of the bootstrap repository run as one `run-script` step. */
export const bootstrapScript = z.strictObject({
  path: z.string().min(1),
  /** Roles that run it; all roles when omitted. */
  roles: z.array(nodeRole).optional(),
  args: z.array(z.string()).default([]),
  timeoutSec: z.number().int().positive().optional(),
});

/** Where the bootstrap scripts come from. */
export const bootstrapSettings = z.strictObject({
  /** Git URL reachable by nodes. Omitted: the controller serves its own bootstrap directory. */
  repo: z.string().min(1).optional(),
  /** Branch, tag or commit; the controller pins it to a commit before any node sees it. */
  ref: z.string().min(1).default('HEAD'),
  scripts: z.array(bootstrapScript).default([{ path: 'setup.sh', args: [] }]),
});

/** The whole `nodes.yaml`. */
export const inventorySchema = z
  .strictObject({
    cluster: clusterSchema.default({ ...CLUSTER_DEFAULTS, certSANs: [] }),
    defaults: z
      .strictObject({
        network: networkSettings.default({}),
        labels: z.record(z.string(), z.string()).default({}),
        taints: z.array(taintSchema).default([]),
        /** Extra attempts for a failed step before the node is marked failed. */
        stepRetries: z.number().int().min(0).max(10).default(1),
        /** Image version for netboot nodes that do not name one. */
        netboot: z.strictObject({ image: imageVersion }).optional(),
      })
      .default({ network: {}, labels: {}, taints: [], stepRetries: 1 }),
    bootstrap: bootstrapSettings.default({ ref: 'HEAD', scripts: [{ path: 'setup.sh', args: [] }] }),
    nodes: z.array(inventoryNodeSchema),
  })
  .superRefine((inv, ctx) => {
    inv.nodes.forEach((n, i) => {
      if (n.netboot !== undefined && n.netboot.image === undefined && inv.defaults.netboot === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'netboot', 'image'],
          message: 'a netboot node needs an image: set netboot.image here or defaults.netboot.image',
        });
    });
    // Two boards whose serials end alike would share one TFTP folder (the last 8 hex digits).
    const tftpSeen = new Map<string, number>();
    inv.nodes.forEach((n, i) => {
      if (n.netboot === undefined || n.serial === undefined) return;
      const folder = n.serial.slice(-8);
      const first = tftpSeen.get(folder);
      if (first === undefined) tftpSeen.set(folder, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'serial'],
          message: `netboot TFTP folder ${folder} is already used by nodes[${first}] (serials must differ in their last 8 hex digits)`,
        });
    });
    // Identity fields must be unique, or matching a board would be ambiguous.
    const seen = new Map<string, number>();
    inv.nodes.forEach((n, i) => {
      for (const field of ['hostname', 'mac', 'serial', 'ip'] as const) {
        const raw = n[field];
        if (raw === undefined) continue;
        const value = field === 'ip' ? raw.split('/')[0] : raw;
        const key = `${field}=${value}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, i);
        else
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', i, field],
            message: `duplicate ${field} ${value} (already used by nodes[${first}])`,
          });
      }
    });
    // Node addresses inside the pod or service range would be unreachable once the CNI routes it.
    // Without kubeadm no CNI ever routes those ranges, so a LAN inside them is fine.
    if (!inv.cluster.kubeadm) return;
    inv.nodes.forEach((n, i) => {
      const ip = n.ip?.split('/')[0];
      if (!ip) return;
      for (const field of ['podSubnet', 'serviceSubnet'] as const) {
        if (cidrsOverlap(`${ip}/32`, inv.cluster[field]))
          ctx.addIssue({
            code: 'custom',
            path: ['nodes', i, 'ip'],
            message: `${ip} is inside cluster.${field} ${inv.cluster[field]}`,
          });
      }
    });
  });
/** Inferred {@link inventorySchema} (defaults applied). */
export type Inventory = z.infer<typeof inventorySchema>;
