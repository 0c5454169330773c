import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { NvmeSummary } from '@osbuild/shared';
import { readTextOrNull } from '../host/fs-util.js';
import type { HostPaths } from '../host/paths.js';
import { parseMilliCelsius } from './proc-parsers.js';

async function list(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [] as string[])).sort();
}

/**
 * The first NVMe controller from sysfs: model and composite temperature (the nvme driver's hwmon
 * `temp1_input`). SMART wear and critical-warning fields need the admin log page (nvme-cli), which
 * the agent does not read yet: they stay null. Null when the board has no NVMe drive.
 */
export async function readNvme(paths: HostPaths): Promise<NvmeSummary | null> {
  const device = (await list(paths.sysClassNvme)).find((d) => /^nvme\d+$/.test(d));
  if (!device) return null;
  const dir = path.join(paths.sysClassNvme, device);
  const model = (await readTextOrNull(path.join(dir, 'model')))?.trim().slice(0, 64) || null;
  const hwmon = (await list(dir)).find((d) => /^hwmon\d+$/.test(d));
  const temperatureC = hwmon
    ? parseMilliCelsius(await readTextOrNull(path.join(dir, hwmon, 'temp1_input')))
    : null;
  return { device, model, temperatureC, percentUsed: null, criticalWarning: null };
}
