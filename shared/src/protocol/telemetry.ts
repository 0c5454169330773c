import { z } from 'zod';
import { bootSource } from './identity.js';
import { protocolVersion } from './version.js';

/** Most entries any telemetry array may hold, so one sample stays small whatever the host has. */
export const TELEMETRY_MAX_ENTRIES = 16;

/**
 * Upper bound of one serialised sample (bytes). The schema's caps guarantee it (a test builds the
 * largest valid sample); at 5,000 nodes every 15 s this keeps the broker's inbound rate bounded.
 */
export const TELEMETRY_MAX_BYTES = 8 * 1024;

const bytes = z.number().int().nonnegative();
const label = (max: number) => z.string().min(1).max(max);

/** State of a systemd unit as `systemctl is-active` reports it, folded to four values. */
export const serviceState = z.enum(['active', 'inactive', 'failed', 'unknown']);
/** Inferred {@link serviceState}. */
export type ServiceState = z.infer<typeof serviceState>;

/**
 * Decoded `vcgencmd get_throttled`. Bits 0-3 are the current state, bits 16-19 the same conditions
 * since boot (Raspberry Pi documentation, "vcgencmd: get_throttled").
 */
export const throttledSchema = z.object({
  /** The firmware's bit field as printed, e.g. `0x50005`. */
  raw: z.string().regex(/^0x[0-9a-f]{1,8}$/),
  underVoltageNow: z.boolean(),
  armFreqCappedNow: z.boolean(),
  throttledNow: z.boolean(),
  softTempLimitNow: z.boolean(),
  underVoltageOccurred: z.boolean(),
  armFreqCappedOccurred: z.boolean(),
  throttledOccurred: z.boolean(),
  softTempLimitOccurred: z.boolean(),
});
/** Inferred {@link throttledSchema}. */
export type Throttled = z.infer<typeof throttledSchema>;

/** Use of one filesystem the node depends on. */
export const diskUsageSchema = z.object({
  /** Node path, e.g. `/` or `/var/lib/containerd`. */
  mount: label(128),
  totalBytes: bytes,
  usedBytes: bytes,
});
/** Inferred {@link diskUsageSchema}. */
export type DiskUsage = z.infer<typeof diskUsageSchema>;

/** Byte counters of one network interface since boot (`/proc/net/dev`). */
export const netCountersSchema = z.object({ iface: label(32), rxBytes: bytes, txBytes: bytes });
/** Inferred {@link netCountersSchema}. */
export type NetCounters = z.infer<typeof netCountersSchema>;

/** What is known about the NVMe drive, when there is one. Fields the agent cannot read are null. */
export const nvmeSummarySchema = z.object({
  /** Controller name, e.g. `nvme0`. */
  device: label(32),
  model: z.string().max(64).nullable(),
  temperatureC: z.number().min(-60).max(200).nullable(),
  /** SMART "percentage used" (may exceed 100 on a worn drive). */
  percentUsed: z.number().int().min(0).max(255).nullable(),
  /** SMART critical warning bit field; non-zero means the drive reports a problem. */
  criticalWarning: z.number().int().min(0).max(255).nullable(),
});
/** Inferred {@link nvmeSummarySchema}. */
export type NvmeSummary = z.infer<typeof nvmeSummarySchema>;

/**
 * Agent -> controller on `nodes/<id>/telemetry`, QoS 0, every `telemetryIntervalSec` (default 15)
 * while the node holds its own credential. A lost sample is replaced by the next one.
 */
export const telemetrySchema = z.object({
  v: protocolVersion,
  seq: z.number().int().nonnegative(),
  at: z.string().max(40),
  bootId: label(64),
  bootSource: bootSource.nullable(),
  uptimeSec: z.number().nonnegative(),
  /** 1, 5 and 15 minute load averages. */
  load: z.tuple([z.number().nonnegative(), z.number().nonnegative(), z.number().nonnegative()]),
  /** Busy share of all CPUs since the previous sample; null on the first sample. */
  cpuPercent: z.number().min(0).max(100).nullable(),
  memory: z.object({ totalBytes: bytes, availableBytes: bytes }),
  /** SoC temperature (thermal zone 0); null when the host has none. */
  socTempC: z.number().min(-60).max(200).nullable(),
  /** Null when the firmware interface is missing (not a Pi, or no vcgencmd). */
  throttled: throttledSchema.nullable(),
  disks: z.array(diskUsageSchema).max(TELEMETRY_MAX_ENTRIES),
  net: z.array(netCountersSchema).max(TELEMETRY_MAX_ENTRIES),
  services: z.object({ containerd: serviceState, kubelet: serviceState }),
  imageVersion: z.string().max(64).nullable(),
  agentVersion: label(64),
  nvme: nvmeSummarySchema.nullable(),
});
/** Inferred {@link telemetrySchema}. */
export type Telemetry = z.infer<typeof telemetrySchema>;
