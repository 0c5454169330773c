import path from 'node:path';
import type { ServiceState } from '@osbuild/shared';
import type { Exec } from '../host/exec.js';
import { readTextOrNull } from '../host/fs-util.js';
import { type HostPaths, isLiveRoot } from '../host/paths.js';

/** The units telemetry reports on. */
export const WATCHED_SERVICES = ['containerd', 'kubelet'] as const;
/** One of {@link WATCHED_SERVICES}. */
export type WatchedService = (typeof WATCHED_SERVICES)[number];

/**
 * Fold a `systemctl is-active` answer to four states. Transitional answers (activating,
 * deactivating, reloading) and a unit systemd does not know are `unknown`, not a failure.
 */
export function foldServiceState(answer: string | null): ServiceState {
  const s = (answer ?? '').trim();
  return s === 'active' || s === 'inactive' || s === 'failed' ? s : 'unknown';
}

/**
 * State of each watched unit: `systemctl is-active` on the live root (it exits non-zero for every
 * state but active, so the exit code is ignored and stdout read); on a fixture root the file
 * `run/osbuild/service-state/<unit>`.
 */
export async function readServiceStates(
  paths: HostPaths,
  exec: Exec,
): Promise<Record<WatchedService, ServiceState>> {
  const one = async (unit: WatchedService): Promise<ServiceState> => {
    if (!isLiveRoot(paths))
      return foldServiceState(await readTextOrNull(path.join(paths.serviceStateDir, unit)));
    const res = await exec('systemctl', ['is-active', `${unit}.service`]);
    return res.spawnError ? 'unknown' : foldServiceState(res.stdout);
  };
  const [containerd, kubelet] = await Promise.all([one('containerd'), one('kubelet')]);
  return { containerd, kubelet };
}
