import path from 'node:path';

/** Where image-build lives; layer scripts and package lists are found relative to it. */
export const IMAGE_BUILD_DIR = path.resolve(import.meta.dirname, '..');

/** The profiles `npm run image -- --profile` knows; the same enum as the manifest's `profile`. */
export const PROFILE_NAMES = ['qemu', 'rpi5'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

/** One APT source for mmdebstrap: a full `deb [...] URL SUITE COMPONENTS` line. */
export type AptSource = string;

/** How the boot partition is laid out for a profile (boot-files.ts renders it). */
export type BootLayout = 'qemu' | 'rpi5';

/** One layer: a name, a script run on the tree, the profile's package list for it. */
export interface LayerSpec {
  name: 'base' | 'kubernetes' | 'agent';
  /** Folder under image-build/layers holding the layer's scripts and files. */
  dir: string;
  /** Package list file under image-build/profiles/<profile>/, if the layer installs packages. */
  packages?: string;
}

/** Everything that differs between the images image-build makes. */
export interface Profile {
  name: ProfileName;
  suite: string;
  sources: AptSource[];
  /** Keyring files (on the build host) mmdebstrap needs for `sources`, beyond Debian's own. */
  keyrings: string[];
  /** initramfs-tools MODULES= policy, and the modules a `list` policy includes. */
  initramfs: { policy: 'list' | 'most'; modules: string[] };
  /** pkgs.k8s.io repository (`https://pkgs.k8s.io/core:/stable:/v1.31/deb/`), if any. */
  kubernetesRepo?: { url: string; keyring: string };
  boot: BootLayout;
  /** MBR disk identifier (8 hex digits): fixed, so root=PARTUUID=<id>-02 is known in advance. */
  diskId: string;
  /** ext4 UUID of the root file system, also its directory hash seed (reproducible builds). */
  rootUuid: string;
  /** FAT volume id of the boot partition (8 hex digits). */
  bootVolumeId: string;
  bootSizeMiB: number;
  layers: LayerSpec[];
}

const LAYERS: LayerSpec[] = [
  { name: 'base', dir: 'layers/10-base', packages: 'base.packages' },
  { name: 'kubernetes', dir: 'layers/20-kubernetes', packages: 'kubernetes.packages' },
  { name: 'agent', dir: 'layers/30-agent' },
];

const DEBIAN = 'http://deb.debian.org/debian';
const DEBIAN_SECURITY = 'http://deb.debian.org/debian-security';

/**
 * The profiles. `keyringDir` holds keyrings fetched by the caller (the GitHub workflow for rpi5);
 * the qemu profile needs none beyond the host's debian-archive-keyring.
 */
export function profiles(keyringDir: string): Record<ProfileName, Profile> {
  return {
    qemu: {
      name: 'qemu',
      suite: 'bookworm',
      sources: [
        `deb ${DEBIAN} bookworm main`,
        `deb ${DEBIAN} bookworm-updates main`,
        `deb ${DEBIAN_SECURITY} bookworm-security main`,
      ],
      keyrings: [],
      // QEMU's virt machine boots from virtio-blk and talks virtio-net; nfs/nfsv4 let the same
      // initramfs mount an NFS root (rootfs.tar.gz served by netboot/).
      initramfs: {
        policy: 'list',
        modules: ['virtio_pci', 'virtio_blk', 'virtio_net', 'ext4', 'nfs', 'nfsv4'],
      },
      boot: 'qemu',
      diskId: '0a5b1d00',
      rootUuid: '5d1b0a00-0e0a-4a5b-9d00-000000000002',
      bootVolumeId: '0a5b1d01',
      bootSizeMiB: 128,
      layers: LAYERS,
    },
    rpi5: {
      name: 'rpi5',
      suite: 'bookworm',
      sources: [
        `deb ${DEBIAN} bookworm main contrib non-free non-free-firmware`,
        `deb ${DEBIAN} bookworm-updates main contrib non-free non-free-firmware`,
        `deb ${DEBIAN_SECURITY} bookworm-security main contrib non-free non-free-firmware`,
        `deb [signed-by=${path.join(keyringDir, 'raspberrypi-archive-keyring.gpg')}] http://archive.raspberrypi.com/debian bookworm main`,
      ],
      keyrings: [path.join(keyringDir, 'raspberrypi-archive-keyring.gpg')],
      // Built natively on an arm64 runner, where MODULES=most costs seconds, and a Pi may boot
      // from NVMe, USB or SD: keep every storage driver.
      initramfs: { policy: 'most', modules: [] },
      kubernetesRepo: {
        url: 'https://pkgs.k8s.io/core:/stable:/v1.31/deb/',
        keyring: path.join(keyringDir, 'kubernetes-apt-keyring.gpg'),
      },
      boot: 'rpi5',
      diskId: '0a5b1d50',
      rootUuid: '5d1b0a50-0e0a-4a5b-9d50-000000000002',
      bootVolumeId: '0a5b1d51',
      bootSizeMiB: 512,
      layers: LAYERS,
    },
  };
}

/** A profile by name, or a clear error listing the known ones. */
export function profileByName(name: string, keyringDir: string): Profile {
  const all = profiles(keyringDir);
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`unknown profile "${name}" (known: ${PROFILE_NAMES.join(', ')})`);
  }
  return all[name as ProfileName];
}
