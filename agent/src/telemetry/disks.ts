import { statfs } from 'node:fs/promises';
import type { DiskUsage } from '@osbuild/shared';
import type { HostPaths } from '../host/paths.js';

/** Node paths whose filesystems telemetry reports: the root and Kubernetes' state dirs. */
export const WATCHED_MOUNTS = ['/', '/var/lib/containerd', '/var/lib/kubelet'] as const;

/** The fields of statfs(2) that disk use needs. */
export interface FsStats {
  bsize: number;
  blocks: number;
  bfree: number;
}

/** statfs(2) of one path; injectable because a fixture root lives on the test machine's disk. */
export type StatFs = (file: string) => Promise<FsStats>;

/** The real {@link StatFs}. */
export const realStatFs: StatFs = (file) => statfs(file);

/** Total and used bytes as df(1) counts them: used = blocks - free (root's reserve counts as used). */
export function diskUsage(mount: string, s: FsStats): DiskUsage {
  return { mount, totalBytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize };
}

/**
 * Use of each watched path that exists below the host root; missing or unreadable ones are left out. A state dir lives on the root
 * filesystem unless mounted separately; it is reported either way, because that is where
 * containerd and kubelet run out of space.
 */
export async function readDisks(paths: HostPaths, stat: StatFs): Promise<DiskUsage[]> {
  const out: DiskUsage[] = [];
  for (const mount of WATCHED_MOUNTS) {
    try {
      out.push(diskUsage(mount, await stat(paths.resolve(mount))));
    } catch {
      // Missing: not a Kubernetes node (yet). Unreadable (EACCES, EIO) must not cost the sample.
    }
  }
  return out;
}
