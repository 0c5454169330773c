// image-build/layers/20-kubernetes/files/osbuild-local-state.sh, the script the image runs before containerd and kubelet:
// real shell, real tmpfs and bind mounts inside a private mount namespace (unshare -m), so the
// host's mounts are untouched. The root's filesystem type and the labelled partition are what a
// Pi would report; here `findmnt` and `blkid` are stand-ins on PATH (named so in each test).
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(
  new URL('../../../image-build/layers/20-kubernetes/files/osbuild-local-state.sh', import.meta.url),
);
const canUnshare = await run('unshare', ['-m', 'true']).then(
  () => true,
  () => false,
);
if (!canUnshare && process.env.CI) throw new Error('unshare -m must work in CI (root)');
if (!canUnshare) console.warn('SKIPPED local-state mount tests: unshare -m failed (not root?)');

let work: string;
let bin: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-local-state-'));
  bin = join(work, 'bin');
  await mkdir(join(work, 'root/etc/default'), { recursive: true });
  await mkdir(bin);
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

async function standIn(name: string, body: string) {
  await writeFile(join(bin, name), `#!/bin/sh\n${body}\n`);
  await chmod(join(bin, name), 0o755);
}

/** Run the script in a private mount namespace, then print what is mounted under the root. */
function runScript(extraEnv: Record<string, string> = {}) {
  const root = join(work, 'root');
  return run(
    'unshare',
    [
      '-m',
      '--propagation',
      'private',
      'sh',
      '-c',
      `"${SCRIPT}"; rc=$?; echo ---; findmnt -rn -o TARGET,FSTYPE,OPTIONS | grep "${root}"; exit $rc`,
    ],
    { env: { PATH: `${bin}:${process.env.PATH}`, OSBUILD_LOCAL_STATE_ROOT: root, ...extraEnv } },
  );
}

describe.skipIf(!canUnshare)('osbuild-local-state.sh', () => {
  it('does nothing when the root is not NFS (stand-in findmnt says ext4)', async () => {
    await standIn('findmnt', 'case "$*" in *--target*) echo ext4 ;; *) exec /usr/bin/findmnt "$@" ;; esac');
    const { stdout } = await runScript();
    expect(stdout).toContain('root is ext4, not NFS');
    expect(stdout.split('---')[1]?.trim()).toBe('');
  });

  it('NFS root without a labelled partition: a sized tmpfs, containerd and kubelet bound onto it', async () => {
    await standIn('findmnt', 'case "$*" in *--target*) echo nfs4 ;; *) exec /usr/bin/findmnt "$@" ;; esac');
    await standIn('blkid', 'exit 2');
    await writeFile(join(work, 'root/etc/default/osbuild-local-state'), 'OSBUILD_STATE_TMPFS_SIZE=64m\n');
    const { stdout } = await runScript();
    const root = join(work, 'root');
    expect(stdout).toContain('tmpfs of 64m');
    const mounts = stdout.split('---')[1] as string;
    expect(mounts).toMatch(new RegExp(`${root}/var/lib/osbuild-local tmpfs .*size=65536k`));
    expect(mounts).toContain(`${root}/var/lib/containerd tmpfs`);
    expect(mounts).toContain(`${root}/var/lib/kubelet tmpfs`);
  });

  it('NFS root with LABEL=osbuild-state: mounts that partition (stand-in blkid and mount log the calls)', async () => {
    const log = join(work, 'calls.log');
    await standIn('findmnt', 'echo nfs4');
    await standIn('blkid', '[ "$1 $2" = "-L osbuild-state" ] && echo /dev/nvme0n1p3');
    await standIn('mountpoint', 'exit 1');
    await standIn('mount', `echo "mount $*" >> ${log}`);
    await runScript();
    const root = join(work, 'root');
    expect((await readFile(log, 'utf8')).trim().split('\n')).toEqual([
      `mount -o noatime /dev/nvme0n1p3 ${root}/var/lib/osbuild-local`,
      `mount --bind ${root}/var/lib/osbuild-local/containerd ${root}/var/lib/containerd`,
      `mount --bind ${root}/var/lib/osbuild-local/kubelet ${root}/var/lib/kubelet`,
    ]);
  });

  it('fails loudly when the mount fails (containerd must not start on NFS)', async () => {
    await standIn('findmnt', 'echo nfs4');
    await standIn('blkid', 'exit 2');
    await standIn('mountpoint', 'exit 1');
    await standIn('mount', 'echo "mount: permission denied" >&2; exit 32');
    await expect(runScript()).rejects.toThrow(/permission denied/);
  });
});
