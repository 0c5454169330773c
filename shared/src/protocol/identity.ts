import { z } from 'zod';
import { BOOT_ID_MAX, HOSTNAME_MAX, IFACE_NAME_MAX, MODEL_MAX, NICS_MAX, VERSION_MAX } from './limits.js';
import { NODE_ID_PATTERN } from './topics.js';

/** A MAC address, normalised to lowercase colon-separated form. */
export const macAddress = z
  .string()
  .max(17)
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'expected a MAC address like dc:a6:32:12:34:56')
  .transform((m) => m.toLowerCase().replaceAll('-', ':'))
  .describe(
    'MAC address, six hex pairs separated by `:` or `-` (e.g. dc:a6:32:12:34:56); the receiver ' +
      'normalises it to lowercase colon form, and the agent always sends that form.',
  );

/** Where the running root filesystem came from. */
export const bootSource = z
  .enum(['netboot', 'nvme', 'sd', 'usb', 'other'])
  .describe('Where the running root filesystem came from.');
/** Inferred {@link bootSource}. */
export type BootSource = z.infer<typeof bootSource>;

/** A hardware-derived node id (see {@link deriveNodeId}). */
export const nodeId = z
  .string()
  .max(64)
  .regex(NODE_ID_PATTERN, 'expected a node id like pi-10000000abcdef01')
  .describe(
    'Hardware-derived node id: `pi-<serial>` when the board has a Pi serial, else ' +
      '`mac-<primary MAC without colons>`; lowercase letters, digits and dashes, 3-64 characters.',
  );

/** A kernel boot id: changes on every boot, so a new one proves a reboot happened. */
export const bootId = z
  .string()
  .min(1)
  .max(BOOT_ID_MAX)
  .describe('Kernel boot id (/proc/sys/kernel/random/boot_id); a new value means the node rebooted.');

/** One network interface that has a physical device behind it. */
export const nicSchema = z
  .object({
    name: z.string().min(1).max(IFACE_NAME_MAX).describe('Interface name, e.g. eth0 or end0.'),
    mac: macAddress,
  })
  .describe('A network interface with a physical device behind it.');

/** What a board says about itself; read by the agent from /sys, /proc and /etc. */
export const identitySchema = z
  .object({
    nodeId,
    /** Physical NICs, primary first. */
    nics: z
      .array(nicSchema)
      .max(NICS_MAX)
      .describe(`Physical NICs, primary first (eth0, end0, then by name); at most ${NICS_MAX}.`),
    /** Pi serial number (lowercase hex), null when the board has none. */
    serial: z
      .string()
      .max(16)
      .regex(/^[0-9a-f]{8,16}$/)
      .nullable()
      .describe('Pi serial number, 8-16 lowercase hex digits; null when the board has none.'),
    model: z
      .string()
      .max(MODEL_MAX)
      .nullable()
      .describe('Board model from the device tree, e.g. "Raspberry Pi 5 Model B Rev 1.0"; null if unknown.'),
    bootSource,
    bootId,
    agentVersion: z.string().min(1).max(VERSION_MAX).describe('Version of the running osbuild-agent.'),
    imageVersion: z
      .string()
      .max(VERSION_MAX)
      .nullable()
      .describe('Version of the OSBuild image the node booted (/etc/osbuild/image.json); null if none.'),
    /** Hostname the node currently has, for display only. */
    hostname: z
      .string()
      .max(HOSTNAME_MAX)
      .nullable()
      .describe('Hostname the node currently has (/etc/hostname), for display only; null if unset.'),
  })
  .describe('What a board says about itself; read by the agent from /sys, /proc and /etc.');
/** Inferred {@link identitySchema}. */
export type Identity = z.infer<typeof identitySchema>;

/**
 * Derive a stable nodeId from hardware: the Pi serial when present (survives NIC changes and
 * re-imaging), else the primary MAC. Lowercase so it is a valid topic level.
 */
export function deriveNodeId(serial: string | null, primaryMac: string | null): string {
  if (serial) return `pi-${serial.toLowerCase()}`;
  if (primaryMac) return `mac-${primaryMac.toLowerCase().replaceAll(':', '')}`;
  throw new Error('cannot derive a node id: no serial number and no physical network interface');
}
