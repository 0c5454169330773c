// Measures what a netboot root costs on this machine: creating and resetting a node root from an
// imported image with resetRoot() (a spare copy renamed into place, or cp --reflink=auto, plus
// per-node files and a rename swap), against a
// plain `cp -a`, a hard-link farm (`cp -al`) and an overlay mount. The tree is synthetic but
// shaped like a Debian arm64 root: ~20k files, mostly small, a few large, ~600 MB, random bytes.
// Usage: npx tsx controller/bench/netboot-roots.bench.ts [--files 20000] [--mb 600] [--dir /var/tmp]
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { exec } from '../src/host/exec.js';
import { netbootLayout } from '../src/netboot/layout.js';
import { resetRoot } from '../src/netboot/roots.js';
import { makeSpare } from '../src/netboot/spares.js';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '20000' },
    mb: { type: 'string', default: '600' },
    dir: { type: 'string', default: '/var/tmp' },
  },
});
const files = Number(values.files);
const totalBytes = Number(values.mb) * 1024 * 1024;

async function time<T>(fn: () => Promise<T>): Promise<number> {
  await run('sync');
  const t = process.hrtime.bigint();
  await fn();
  await run('sync');
  return Number(process.hrtime.bigint() - t) / 1e9;
}

/** Half the bytes in 30 large files (libraries, kernel modules), the rest spread over small ones. */
async function makeTree(root: string): Promise<void> {
  const large = 30;
  const largeSize = Math.floor(totalBytes / 2 / large);
  const smallSize = Math.floor(totalBytes / 2 / (files - large));
  for (let i = 0; i < files; i++) {
    const dir = join(root, 'usr', `d${Math.floor(i / 200)}`);
    if (i % 200 === 0) await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `f${i}`), randomBytes(i < large ? largeSize : smallSize));
  }
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/fstab'), 'LABEL=rootfs / ext4 defaults 0 1\n');
  await writeFile(join(root, 'etc/hostname'), 'localhost\n');
  await symlink('usr/d0', join(root, 'lib'));
}

async function overlayAvailable(base: string): Promise<boolean> {
  const d = join(base, 'ovl-probe');
  for (const s of ['l', 'u', 'w', 'm']) await mkdir(join(d, s), { recursive: true });
  try {
    await run('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${d}/l,upperdir=${d}/u,workdir=${d}/w`,
      `${d}/m`,
    ]);
    await run('umount', [`${d}/m`]);
    return true;
  } catch {
    return false;
  } finally {
    await rm(d, { recursive: true, force: true });
  }
}

const base = await mkdtemp(join(values.dir as string, 'osbuild-roots-bench-'));
try {
  const layout = netbootLayout(base);
  const rootfs = layout.imageRootfs('bench');
  const tMake = await time(() => makeTree(rootfs));
  await writeFile(join(layout.image('bench'), 'manifest.json'), '{}'); // isImported() looks for it
  const du = (await run('du', ['-sm', rootfs])).stdout.split('\t')[0];
  const fsType = (await run('stat', ['-f', '-c', '%T', base])).stdout.trim();
  const results: Record<string, number | string> = { files, sizeMB: Number(du), fsType, makeTreeSec: tMake };
  // Warm the page cache once so every method reads the same way.
  await run('tar', ['-cf', '/dev/null', '-C', rootfs, '.']);

  results.plainCopySec = await time(() => run('cp', ['-a', rootfs, join(base, 'plain')]));
  results.plainRemoveSec = await time(() => rm(join(base, 'plain'), { recursive: true }));
  results.reflinkAutoCopySec = await time(() =>
    run('cp', ['-a', '--reflink=auto', rootfs, join(base, 'reflink')]),
  );
  await rm(join(base, 'reflink'), { recursive: true });
  try {
    await run('cp', ['-a', '--reflink=always', join(base, 'base-probe-missing'), join(base, 'x')]);
  } catch (err) {
    results.reflinkAlways = (err as Error).message.includes('No such file') ? 'probe-error' : 'unsupported';
  }
  const probe = join(base, 'probe');
  await writeFile(probe, 'x');
  results.reflinkAlways = await run('cp', ['--reflink=always', probe, `${probe}2`]).then(
    () => 'supported',
    () => `unsupported on ${fsType}`,
  );
  results.hardlinkFarmSec = await time(() => run('cp', ['-al', rootfs, join(base, 'farm')]));
  await rm(join(base, 'farm'), { recursive: true });

  const node = { name: 'bench-node', image: 'bench', rootPath: layout.root('bench-node') };
  const deps = { exec, now: () => new Date(), server: '10.0.10.2' };
  // Without a spare: a full copy, personalise, swap (and, for a reset, removing the old root).
  const created = await resetRoot(layout, node, deps);
  results.resetRootCreateSec = created.seconds;
  const full = await resetRoot(layout, node, deps);
  results.resetNoSpareSwappedSec = full.swappedSeconds;
  results.resetNoSpareTotalSec = full.seconds;
  // With a spare made ahead of time (what render keeps): the reset is a rename.
  results.makeSpareSec = await time(() => makeSpare(layout, 'bench', exec));
  const spared = await resetRoot(layout, node, { ...deps, backgroundCleanup: true });
  results.resetFromSpareSwappedSec = spared.swappedSeconds;
  results.resetFromSpare = String(spared.fromSpare);
  const t = process.hrtime.bigint();
  await spared.cleanup;
  results.resetFromSpareOldRootRemovalSec = Number(process.hrtime.bigint() - t) / 1e9;

  if (await overlayAvailable(base)) {
    const o = join(base, 'ovl');
    const mountIt = async () => {
      for (const s of ['u', 'w', 'm']) await mkdir(join(o, s), { recursive: true });
      await run('mount', [
        '-t',
        'overlay',
        'overlay',
        '-o',
        `lowerdir=${rootfs},upperdir=${o}/u,workdir=${o}/w`,
        `${o}/m`,
      ]);
    };
    results.overlayCreateSec = await time(mountIt);
    await writeFile(join(o, 'm/etc/hostname'), 'bench-node\n');
    results.overlayResetSec = await time(async () => {
      await run('umount', [`${o}/m`]);
      await rm(join(o, 'u'), { recursive: true });
      await rm(join(o, 'w'), { recursive: true });
      await mountIt();
    });
    await run('umount', [`${o}/m`]);
  } else results.overlayCreateSec = 'overlay mount unavailable';
  console.log(JSON.stringify(results, null, 2));
} finally {
  await run('chmod', ['-R', 'u+w', base]).catch(() => undefined);
  await rm(base, { recursive: true, force: true });
}
