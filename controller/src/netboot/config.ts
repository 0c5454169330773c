// The netboot section of the controller configuration (`netboot.yaml`): where the server lives on
// the boot network, where it keeps images, roots and the rendered tree, what every node's kernel
// command line tells the agent, and the optional per-node power hooks.
import { readFile } from 'node:fs/promises';
import { UserError } from '@osbuild/shared';
import { parse } from 'yaml';
import { z } from 'zod';

const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/, 'expected an IPv4 address');
const absolutePath = z.string().startsWith('/', { message: 'expected an absolute path' });

/** A command run for a node when its agent cannot reboot it (PoE switch, smart plug). */
export const powerHookSchema = z.strictObject({
  /** argv: program then arguments, never through a shell. The node name is in OSBUILD_NODE. */
  command: z.array(z.string().min(1)).min(1),
  timeoutSec: z.number().int().positive().max(600).default(60),
});
/** Inferred {@link powerHookSchema}. */
export type PowerHook = z.infer<typeof powerHookSchema>;

/** `netboot.yaml`. */
export const netbootConfigSchema = z.strictObject({
  /** This server's address on the boot network: TFTP and NFS are served from it. */
  server: ipv4,
  /** Network address of the boot LAN for `dhcp-range=<network>,proxy` (the router keeps leasing). */
  network: ipv4,
  /** Prefix length of `network`; NFS exports of nodes without a static address admit this subnet. */
  prefix: z.number().int().min(8).max(30).default(24),
  /** Only this interface answers DHCP and TFTP. */
  interface: z.string().regex(/^[A-Za-z0-9._-]{1,15}$/, 'expected an interface name like eth0'),
  /** Holds images/, roots/, rendered/ and the `current` link the daemons read. */
  dir: absolutePath,
  /** Which NFS server's configuration `render` points setup at; both files are always written. */
  nfsServer: z.enum(['ganesha', 'kernel']).default('ganesha'),
  agent: z.strictObject({
    /** MQTT URL the agent connects to (`osbuild.controller=`). */
    controller: z.string().regex(/^mqtts?:\/\/[^\s"]+$/, 'expected mqtts://HOST:PORT'),
    /** `osbuild ca show` (`osbuild.ca_fingerprint=`); required unless the controller is plain mqtt. */
    caFingerprint: z
      .string()
      .regex(/^[A-Za-z0-9:,]+$/, 'expected the CA SHA-256 fingerprint')
      .optional(),
    /** Path on the node of the claim secret (`osbuild.claim_file=`); the secret never goes on the cmdline. */
    claimFile: absolutePath.optional(),
  }),
  /**
   * Keep one spare copy of every image in use, so a reset is a rename instead of a full copy
   * (costs the disk space of one root per image). See docs/netboot.md for the measured times.
   */
  spareRoots: z.boolean().default(true),
  /** Extra kernel parameters appended to every node's cmdline.txt. */
  extraKernelArgs: z.array(z.string().regex(/^[^\s"]+$/, 'one parameter per entry, no spaces')).default([]),
  /**
   * Run after a render changed the files a daemon reads (argv, no shell), e.g. `[exportfs, -ra]`
   * or `[systemctl, restart, nfs-ganesha]`. None by default: the report says what changed.
   */
  reload: z
    .strictObject({
      nfs: z.array(z.string().min(1)).min(1).optional(),
      dnsmasq: z.array(z.string().min(1)).min(1).optional(),
    })
    .default({}),
  /** Per node name; none by default. */
  powerHooks: z.record(z.string(), powerHookSchema).default({}),
});
/** Inferred {@link netbootConfigSchema}. */
export type NetbootConfig = z.infer<typeof netbootConfigSchema>;

/** Parse `netboot.yaml` text; a clear {@link UserError} names the first bad field. */
export function parseNetbootConfig(text: string, file: string): NetbootConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new UserError('config', `${file}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = netbootConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
    throw new UserError('config', `${file}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`);
  }
  if (parsed.data.agent.controller.startsWith('mqtts:') && parsed.data.agent.caFingerprint === undefined) {
    throw new UserError(
      'config',
      `${file}: agent.caFingerprint is required with an mqtts:// controller (run osbuild ca show)`,
    );
  }
  return parsed.data;
}

/** Read and parse `netboot.yaml`. */
export async function loadNetbootConfig(file: string): Promise<NetbootConfig> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserError('config', `cannot read netboot config ${file}: ${(err as Error).message}`);
  }
  return parseNetbootConfig(text, file);
}
