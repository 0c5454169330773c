import {
  type Identity,
  PROTOCOL_VERSION,
  TELEMETRY_MAX_ENTRIES,
  type Telemetry,
  telemetrySchema,
} from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { readTextOrNull } from '../host/fs-util.js';
import type { HostPaths } from '../host/paths.js';
import { readDisks, type StatFs } from './disks.js';
import { readNvme } from './nvme.js';
import {
  type CpuTimes,
  cpuPercent,
  parseCpuTimes,
  parseLoadavg,
  parseMeminfo,
  parseMilliCelsius,
  parseNetDev,
  parseUptime,
} from './proc-parsers.js';
import { readServiceStates } from './services.js';
import { readThrottled } from './throttled.js';

/** What the collector reads through; all host access goes via the paths module, exec and statfs. */
export interface CollectorDeps {
  paths: HostPaths;
  exec: Exec;
  statfs: StatFs;
  now: () => Date;
}

/**
 * Builds telemetry samples. Holds the previous `/proc/stat` reading (per instance, never module
 * state), since CPU use is a difference between two samples.
 */
export class TelemetryCollector {
  readonly #deps: CollectorDeps;
  #prevCpu: CpuTimes | null = null;

  constructor(deps: CollectorDeps) {
    this.#deps = deps;
  }

  /** One sample; `identity` supplies the boot id and versions the node announced in its hello. */
  async collect(seq: number, identity: Identity): Promise<Telemetry> {
    const { paths, exec, statfs } = this.#deps;
    const [loadavg, uptime, meminfo, stat, netDev, temp, throttled, services, disks, nvme] =
      await Promise.all([
        readTextOrNull(paths.loadavg),
        readTextOrNull(paths.uptime),
        readTextOrNull(paths.meminfo),
        readTextOrNull(paths.procStat),
        readTextOrNull(paths.procNetDev),
        readTextOrNull(paths.socTemp),
        readThrottled(paths, exec).catch(() => null),
        readServiceStates(paths, exec),
        readDisks(paths, statfs),
        readNvme(paths).catch(() => null),
      ]);
    const cpu = parseCpuTimes(stat);
    const percent = cpuPercent(this.#prevCpu, cpu);
    this.#prevCpu = cpu;
    // Parse our own output: a value outside the schema's bounds (a clock-skewed /proc, a 70-char
    // image version) is caught here, not rejected silently by the controller.
    return telemetrySchema.parse({
      v: PROTOCOL_VERSION,
      seq,
      at: this.#deps.now().toISOString(),
      bootId: identity.bootId,
      bootSource: identity.bootSource,
      uptimeSec: parseUptime(uptime) ?? 0,
      load: parseLoadavg(loadavg) ?? [0, 0, 0],
      cpuPercent: percent,
      memory: parseMeminfo(meminfo) ?? { totalBytes: 0, availableBytes: 0 },
      socTempC: parseMilliCelsius(temp),
      throttled,
      disks: disks.slice(0, TELEMETRY_MAX_ENTRIES),
      net: parseNetDev(netDev, TELEMETRY_MAX_ENTRIES),
      services,
      imageVersion: identity.imageVersion?.slice(0, 64) ?? null,
      agentVersion: identity.agentVersion.slice(0, 64),
      nvme,
    } satisfies Telemetry);
  }
}
