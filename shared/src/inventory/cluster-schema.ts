import { z } from 'zod';

const ipv4Re = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** An IPv4 CIDR as [network, prefix], or null when `text` is not one. */
export function parseCidr(text: string): { base: number; prefix: number } | null {
  const [addr, prefixText, extra] = text.split('/');
  if (extra !== undefined || !addr || !prefixText || !ipv4Re.test(addr) || !/^\d{1,2}$/.test(prefixText))
    return null;
  const prefix = Number(prefixText);
  if (prefix > 32) return null;
  const value = addr.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - prefix);
  return { base: value - (value % size), prefix };
}

/** Do two CIDRs share any address? */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  if (!x || !y) return false;
  const xEnd = x.base + 2 ** (32 - x.prefix);
  const yEnd = y.base + 2 ** (32 - y.prefix);
  return x.base < yEnd && y.base < xEnd;
}

const cidr = z
  .string()
  .refine((s) => parseCidr(s) !== null, 'expected an IPv4 CIDR like 10.244.0.0/16')
  .refine((s) => {
    const c = parseCidr(s);
    return !c || (c.prefix >= 8 && c.prefix <= 28);
  }, 'prefix must be between /8 and /28');

/** `host:port` or `host`: a DNS name or IPv4 address (kubeadm `controlPlaneEndpoint`). */
const endpointRe =
  /^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;
const endpoint = z
  .string()
  .regex(endpointRe, 'expected host or host:port, e.g. 10.0.10.10:6443 or k8s.example.lan:6443')
  .refine((s) => {
    const port = s.split(':')[1];
    // Only judged when the shape is right, so one mistake gets one message.
    return !endpointRe.test(s) || port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
  }, 'port must be 1-65535');

/** CNI plugins the controller knows a manifest for (`bootstrap/manifests/<cni>.yaml`); `none` applies nothing. */
export const cniChoice = z.enum(['flannel', 'calico', 'cilium', 'none']);
/** Inferred {@link cniChoice}. */
export type CniChoice = z.infer<typeof cniChoice>;

/** The `cluster:` section of nodes.yaml: what kubeadm needs to create or join the cluster. */
export const clusterSchema = z
  .strictObject({
    /**
     * Make the cluster with kubeadm: every matched node's plan ends with the prerequisites check
     * and kubeadm init (first control plane) or join. Off: the controller only provisions.
     */
    kubeadm: z.boolean().default(false),
    /** kubeadm `clusterName`. */
    name: z
      .string()
      .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'expected a lowercase DNS label like pi-cluster')
      .default('osbuild'),
    /** Kubernetes version kubeadm installs, e.g. v1.31.2; omitted: the kubeadm binary's own. */
    kubernetesVersion: z
      .string()
      .regex(/^v?\d+\.\d+\.\d+$/, 'expected a version like v1.31.2')
      .transform((v) => (v.startsWith('v') ? v : `v${v}`))
      .optional(),
    /** Stable address of the API server (VIP or DNS name); omitted: the first control plane's ip:6443. */
    controlPlaneEndpoint: endpoint.optional(),
    podSubnet: cidr.default('10.244.0.0/16'),
    serviceSubnet: cidr.default('10.96.0.0/12'),
    cni: cniChoice.default('flannel'),
    /** Extra subject alternative names on the API server certificate. */
    certSANs: z.array(z.string().regex(/^[a-zA-Z0-9.:-]+$/, 'expected a DNS name or IP address')).default([]),
    /** Lifetime of each just-in-time bootstrap token. */
    tokenTtlMinutes: z.number().int().min(1).max(1440).default(30),
  })
  .superRefine((c, ctx) => {
    if (cidrsOverlap(c.podSubnet, c.serviceSubnet))
      ctx.addIssue({
        code: 'custom',
        path: ['serviceSubnet'],
        message: `serviceSubnet ${c.serviceSubnet} overlaps podSubnet ${c.podSubnet}`,
      });
  });
/** Inferred {@link clusterSchema} (defaults applied). */
export type ClusterSettings = z.infer<typeof clusterSchema>;

/** Defaults of the cluster section when nodes.yaml has none. */
export const CLUSTER_DEFAULTS = {
  kubeadm: false,
  name: 'osbuild',
  podSubnet: '10.244.0.0/16',
  serviceSubnet: '10.96.0.0/12',
  cni: 'flannel',
  certSANs: [],
  tokenTtlMinutes: 30,
} as const;
