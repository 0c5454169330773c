import { z } from 'zod';
import { NODE_ID_PATTERN } from './topics.js';

/** A MAC address, normalised to lowercase colon-separated form. */
export const macAddress = z
  .string()
  .regex(/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/, 'expected a MAC address like dc:a6:32:12:34:56')
  .transform((m) => m.toLowerCase().replaceAll('-', ':'));

/** Where the running root filesystem came from. */
export const bootSource = z.enum(['netboot', 'nvme', 'sd', 'usb', 'other']);
/** Inferred {@link bootSource}. */
export type BootSource = z.infer<typeof bootSource>;

/** A hardware-derived node id (see {@link deriveNodeId}). */
export const nodeId = z.string().regex(NODE_ID_PATTERN, 'expected a node id like pi-10000000abcdef01');

/** One network interface that has a physical device behind it. */
export const nicSchema = z.object({ name: z.string().min(1), mac: macAddress });

/** What a board says about itself; read by the agent from /sys, /proc and /etc. */
export const identitySchema = z.object({
  nodeId,
  /** Physical NICs, primary first. */
  nics: z.array(nicSchema),
  /** Pi serial number (lowercase hex), null when the board has none. */
  serial: z
    .string()
    .regex(/^[0-9a-f]{8,16}$/)
    .nullable(),
  model: z.string().nullable(),
  bootSource,
  bootId: z.string().min(1),
  agentVersion: z.string().min(1),
  imageVersion: z.string().nullable(),
  /** Hostname the node currently has, for display only. */
  hostname: z.string().nullable(),
});
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
