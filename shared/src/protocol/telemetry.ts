import { z } from 'zod';
import { isoTime, messageSeq } from './fields.js';
import { bootId, bootSource } from './identity.js';
import { IFACE_NAME_MAX, VERSION_MAX } from './limits.js';
import { protocolVersion } from './version.js';

/** Most entries any telemetry array may hold, so one sample stays small whatever the host has. */
export const TELEMETRY_MAX_ENTRIES = 16;

/**
 * Upper bound of one serialised sample (bytes). The schema's caps guarantee it (a test builds the
 * largest valid sample); at 5,000 nodes every 15 s this keeps the broker's inbound rate bounded.
 */
export const TELEMETRY_MAX_BYTES = 8 * 1024;

const bytes = (meaning: string) => z.number().int().nonnegative().describe(`${meaning} (bytes).`);
const label = (max: number) => z.string().min(1).max(max);
const flag = (meaning: string) => z.boolean().describe(meaning);

/** State of a systemd unit as `systemctl is-active` reports it, folded to four values. */
export const serviceState = z
  .enum(['active', 'inactive', 'failed', 'unknown'])
  .describe('`systemctl is-active` folded to four values (`unknown`: transitional, or no such unit).');
/** Inferred {@link serviceState}. */
export type ServiceState = z.infer<typeof serviceState>;

/**
 * Decoded `vcgencmd get_throttled`. Bits 0-3 are the current state, bits 16-19 the same conditions
 * since boot (Raspberry Pi documentation, "vcgencmd: get_throttled").
 */
export const throttledSchema = z
  .object({
    /** The firmware's bit field as printed, e.g. `0x50005`. */
    raw: z
      .string()
      .max(10)
      .regex(/^0x[0-9a-f]{1,8}$/)
      .describe('The firmware’s bit field as printed, e.g. 0x50005.'),
    underVoltageNow: flag('Bit 0: under-voltage now.'),
    armFreqCappedNow: flag('Bit 1: ARM frequency capped now.'),
    throttledNow: flag('Bit 2: throttled now.'),
    softTempLimitNow: flag('Bit 3: soft temperature limit active now.'),
    underVoltageOccurred: flag('Bit 16: under-voltage has occurred since boot.'),
    armFreqCappedOccurred: flag('Bit 17: ARM frequency capping has occurred since boot.'),
    throttledOccurred: flag('Bit 18: throttling has occurred since boot.'),
    softTempLimitOccurred: flag('Bit 19: soft temperature limit has occurred since boot.'),
  })
  .describe('Decoded `vcgencmd get_throttled` (Raspberry Pi documentation, "vcgencmd: get_throttled").');
/** Inferred {@link throttledSchema}. */
export type Throttled = z.infer<typeof throttledSchema>;

/** Use of one filesystem the node depends on. */
export const diskUsageSchema = z
  .object({
    /** Node path, e.g. `/` or `/var/lib/containerd`. */
    mount: label(128).describe('Path on the node, e.g. / or /var/lib/containerd.'),
    totalBytes: bytes('Size of the filesystem'),
    usedBytes: bytes('Used space: blocks minus free blocks, as df counts'),
  })
  .describe('Use of one filesystem the node depends on (statfs(2)).');
/** Inferred {@link diskUsageSchema}. */
export type DiskUsage = z.infer<typeof diskUsageSchema>;

/** Byte counters of one network interface since boot (`/proc/net/dev`). */
export const netCountersSchema = z
  .object({
    iface: label(IFACE_NAME_MAX).describe('Interface name, e.g. eth0.'),
    rxBytes: bytes('Received since boot'),
    txBytes: bytes('Sent since boot'),
  })
  .describe('Byte counters of one network interface since boot (/proc/net/dev).');
/** Inferred {@link netCountersSchema}. */
export type NetCounters = z.infer<typeof netCountersSchema>;

/** What is known about the NVMe drive, when there is one. Fields the agent cannot read are null. */
export const nvmeSummarySchema = z
  .object({
    /** Controller name, e.g. `nvme0`. */
    device: label(IFACE_NAME_MAX).describe('NVMe controller name, e.g. nvme0.'),
    model: z.string().max(64).nullable().describe('Drive model; null when unreadable.'),
    temperatureC: z
      .number()
      .min(-60)
      .max(200)
      .nullable()
      .describe('Drive temperature in °C; null when unreadable.'),
    /** SMART "percentage used" (may exceed 100 on a worn drive). */
    percentUsed: z
      .number()
      .int()
      .min(0)
      .max(255)
      .nullable()
      .describe('SMART "percentage used" (may exceed 100 on a worn drive); not read yet (null).'),
    /** SMART critical warning bit field; non-zero means the drive reports a problem. */
    criticalWarning: z
      .number()
      .int()
      .min(0)
      .max(255)
      .nullable()
      .describe(
        'SMART critical warning bit field, non-zero when the drive reports a problem; not read yet (null).',
      ),
  })
  .describe('What is known about the NVMe drive; fields the agent cannot read are null.');
/** Inferred {@link nvmeSummarySchema}. */
export type NvmeSummary = z.infer<typeof nvmeSummarySchema>;

const load = z.number().nonnegative();

/**
 * Agent -> controller on `nodes/<id>/telemetry`, QoS 0, every `telemetryIntervalSec` (default 15)
 * while the node holds its own credential. A lost sample is replaced by the next one.
 */
export const telemetrySchema = z
  .object({
    v: protocolVersion,
    seq: messageSeq,
    at: isoTime('When the sample was taken'),
    bootId,
    bootSource: bootSource.nullable().describe('Where the root filesystem came from; null when unknown.'),
    uptimeSec: z.number().nonnegative().describe('Seconds since boot (/proc/uptime).'),
    /** 1, 5 and 15 minute load averages. */
    load: z.tuple([load, load, load]).describe('1, 5 and 15 minute load averages (/proc/loadavg).'),
    /** Busy share of all CPUs since the previous sample; null on the first sample. */
    cpuPercent: z
      .number()
      .min(0)
      .max(100)
      .nullable()
      .describe(
        'Busy share of all CPUs since the previous sample (idle includes iowait); null on the first.',
      ),
    memory: z
      .object({
        totalBytes: bytes('MemTotal'),
        availableBytes: bytes('MemAvailable'),
      })
      .describe('Memory from /proc/meminfo.'),
    /** SoC temperature (thermal zone 0); null when the host has none. */
    socTempC: z
      .number()
      .min(-60)
      .max(200)
      .nullable()
      .describe('SoC temperature in °C (thermal zone 0); null when the host has none.'),
    /** Null when the firmware interface is missing (not a Pi, or no vcgencmd). */
    throttled: throttledSchema
      .nullable()
      .describe(
        'Decoded get_throttled; null when the firmware interface is missing (not a Pi, or no vcgencmd).',
      ),
    disks: z
      .array(diskUsageSchema)
      .max(TELEMETRY_MAX_ENTRIES)
      .describe('/, /var/lib/containerd and /var/lib/kubelet, those that exist.'),
    net: z
      .array(netCountersSchema)
      .max(TELEMETRY_MAX_ENTRIES)
      .describe('Interfaces without lo and per-pod ones (veth*, cali*, lxc*, cilium_*, …).'),
    services: z
      .object({ containerd: serviceState, kubelet: serviceState })
      .describe('State of containerd.service and kubelet.service.'),
    imageVersion: z
      .string()
      .max(VERSION_MAX)
      .nullable()
      .describe('Image version of the last hello’s identity; null if none.'),
    agentVersion: label(VERSION_MAX).describe('Version of the running osbuild-agent.'),
    nvme: nvmeSummarySchema.nullable().describe('The NVMe drive; null without one.'),
  })
  .describe('One health sample of one node, QoS 0; a lost sample is replaced by the next.');
/** Inferred {@link telemetrySchema}. */
export type Telemetry = z.infer<typeof telemetrySchema>;
