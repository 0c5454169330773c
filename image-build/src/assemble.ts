import { copyFile, mkdir, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type BootFile, planBootFiles } from './boot-files.js';
import type { Profile } from './profiles.js';
import type { Run } from './run.js';

const MiB = 1024 * 1024;
/** The first partition starts at 1 MiB, the usual alignment for flash and NVMe. */
const FIRST_LBA_MIB = 1;

export interface AssembleContext {
  profile: Profile;
  finalLayerTar: string;
  outDir: string;
  workDir: string;
  sourceDateEpoch: number;
  run: Run;
  progress: (line: string) => void;
}

/** Paths of the tree relevant to the boot partition, relative and without a leading slash. */
async function bootCandidates(tree: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const e of await readdir(path.join(tree, rel), { withFileTypes: true })) {
      const p = `${rel}/${e.name}`;
      if (e.isDirectory()) await walk(p);
      else out.push(p);
    }
  };
  await walk('boot');
  for (const e of await readdir(path.join(tree, 'usr/lib'), { withFileTypes: true })) {
    if (e.isDirectory() && e.name.startsWith('linux-image-')) await walk(`usr/lib/${e.name}`);
  }
  return out;
}

async function writeBootFolder(
  files: BootFile[],
  tree: string,
  bootDir: string,
  epoch: number,
): Promise<void> {
  await mkdir(bootDir, { recursive: true });
  for (const f of files) {
    const dest = path.join(bootDir, f.dest);
    await mkdir(path.dirname(dest), { recursive: true });
    if ('from' in f) await copyFile(path.join(tree, f.from), dest);
    else await writeFile(dest, f.content);
    await utimes(dest, epoch, epoch);
  }
}

/** Size of the tree in MiB as mkfs.ext4 -d will need it (apparent sizes rounded to 4 KiB blocks). */
async function treeMiB(run: Run, tree: string): Promise<number> {
  const out = await run('du', ['-s', '--block-size=1M', '-x', tree]);
  return Number.parseInt(out.split(/\s/)[0] ?? '0', 10);
}

/** One installed package, as dpkg-query reads it from the tree. */
export interface InstalledPackage {
  name: string;
  version: string;
  arch: string;
}

/** What assembly made: artefact paths relative to outDir, and the installed packages. */
export interface Assembled {
  artefacts: string[];
  packages: InstalledPackage[];
}

async function installedPackages(run: Run, tree: string): Promise<InstalledPackage[]> {
  const out = await run('dpkg-query', [
    `--admindir=${path.join(tree, 'var/lib/dpkg')}`,
    '-W',
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a JS template
    '-f=${Package}\\t${Version}\\t${Architecture}\\n',
  ]);
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const [name = '', version = '', arch = ''] = l.split('\t');
      return { name, version, arch };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Everything after the layers: the rootfs tarball, the boot folder, disk.img (MBR, FAT32 boot +
 * ext4 root, made by mkfs -C/-d, mtools, sfdisk and dd: no loop device, no mount) and its
 * compressed copy.
 */
export async function assemble(ctx: AssembleContext): Promise<Assembled> {
  const { run, profile, outDir, workDir } = ctx;
  const epoch = String(ctx.sourceDateEpoch);
  const tree = path.join(workDir, 'tree');
  await rm(tree, { recursive: true, force: true });
  await mkdir(tree, { recursive: true });
  await run('tar', ['-xpf', ctx.finalLayerTar, '-C', tree, '--numeric-owner']);
  const packages = await installedPackages(run, tree);

  // Reproducible tarball: sorted names, one mtime for every entry, numeric owners, no atime/ctime
  // (GNU format carries neither), gzip without name or time stamp.
  const rootfs = path.join(outDir, 'rootfs.tar.gz');
  await run('bash', [
    '-o',
    'pipefail',
    '-c',
    'tar --sort=name --numeric-owner --mtime="@$1" --format=gnu -C "$2" -cf - . | gzip -n -6 >"$3.partial" && mv "$3.partial" "$3"',
    'rootfs',
    epoch,
    tree,
    rootfs,
  ]);
  ctx.progress(`      rootfs.tar.gz ${((await stat(rootfs)).size / MiB).toFixed(1)} MiB`);

  const bootFiles = planBootFiles(profile, await bootCandidates(tree));
  const bootDir = path.join(outDir, 'boot');
  await writeBootFolder(bootFiles, tree, bootDir, ctx.sourceDateEpoch);

  // Boot partition: FAT32 made in a file; --invariant fixes the times mkfs writes, -i the id.
  const bootImg = path.join(workDir, 'boot.vfat');
  await rm(bootImg, { force: true });
  await run('mkfs.vfat', [
    '-C',
    '-F',
    '32',
    '-n',
    'BOOT',
    // --invariant first: it also sets the volume id, and a later -i overrides that.
    '--invariant',
    '-i',
    profile.bootVolumeId,
    bootImg,
    String(profile.bootSizeMiB * 1024),
  ]);
  const topLevel = (await readdir(bootDir)).sort().map((f) => path.join(bootDir, f));
  await run('mcopy', ['-s', '-m', '-i', bootImg, ...topLevel, '::/'], {
    env: { MTOOLS_SKIP_CHECK: '1', TZ: 'UTC' },
  });

  // Root partition: ext4 filled from the tree by mkfs.ext4 -d, with a fixed UUID and hash seed.
  // Room for the agent's state and logs; the partition does not grow on its own (docs/image.md).
  const used = await treeMiB(run, tree);
  const rootMiB = Math.ceil((used * 1.25 + 512) / 4) * 4;
  const rootImg = path.join(workDir, 'root.ext4');
  await rm(rootImg, { force: true });
  await run(
    'mkfs.ext4',
    [
      '-q',
      '-F',
      '-L',
      'rootfs',
      '-U',
      profile.rootUuid,
      '-E',
      `hash_seed=${profile.rootUuid},root_owner=0:0`,
      '-d',
      tree,
      rootImg,
      `${rootMiB}M`,
    ],
    { env: { E2FSPROGS_FAKE_TIME: epoch } },
  );

  const disk = path.join(outDir, 'disk.img');
  const bootStart = FIRST_LBA_MIB;
  const rootStart = bootStart + profile.bootSizeMiB;
  const totalMiB = rootStart + rootMiB;
  await rm(disk, { force: true });
  await run('truncate', ['-s', `${totalMiB}M`, disk]);
  const sectors = (mib: number) => (mib * MiB) / 512;
  const table = [
    'label: dos',
    `label-id: 0x${profile.diskId}`,
    'unit: sectors',
    `start=${sectors(bootStart)}, size=${sectors(profile.bootSizeMiB)}, type=c, bootable`,
    `start=${sectors(rootStart)}, size=${sectors(rootMiB)}, type=83`,
    '',
  ].join('\n');
  const tableFile = path.join(workDir, 'disk.sfdisk');
  await writeFile(tableFile, table);
  await run('bash', [
    '-c',
    'sfdisk --quiet --no-reread --no-tell-kernel "$1" <"$2"',
    'sfdisk',
    disk,
    tableFile,
  ]);
  for (const [img, startMiB] of [
    [bootImg, bootStart],
    [rootImg, rootStart],
  ] as const) {
    await run('dd', [
      `if=${img}`,
      `of=${disk}`,
      'bs=1M',
      `seek=${startMiB}`,
      'conv=notrunc,sparse',
      'status=none',
    ]);
  }
  await rm(tree, { recursive: true, force: true });
  await rm(bootImg, { force: true });
  await rm(rootImg, { force: true });
  ctx.progress(`      disk.img ${totalMiB} MiB (boot ${profile.bootSizeMiB} MiB, root ${rootMiB} MiB)`);

  await run('zstd', ['-q', '-f', '-T0', '-10', disk, '-o', `${disk}.zst`]);
  const bootArtefacts = bootFiles.map((f) => `boot/${f.dest}`).sort();
  return { artefacts: ['rootfs.tar.gz', 'disk.img', 'disk.img.zst', ...bootArtefacts], packages };
}
