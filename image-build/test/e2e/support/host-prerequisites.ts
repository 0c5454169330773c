// What the image end-to-end tests need on the host, installed or enabled when missing (the tests
// run as root on CI's fresh machine; see .ci/run).
import { access } from 'node:fs/promises';
import { execa } from 'execa';

/** Debian packages of the image build and the QEMU boot. */
export const E2E_PACKAGES = [
  'mmdebstrap',
  'arch-test',
  'qemu-user-static',
  'binfmt-support',
  'dosfstools',
  'mtools',
  'e2fsprogs',
  'fdisk',
  'zstd',
  'qemu-system-arm',
  'ipxe-qemu',
  'libc6-arm64-cross',
  'libstdc++6-arm64-cross',
];

async function installed(pkg: string): Promise<boolean> {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's format, not a JS template
  const res = await execa('dpkg-query', ['-W', '-f=${Status}', pkg], { reject: false });
  return res.exitCode === 0 && res.stdout.includes('install ok installed');
}

/** apt-get install whatever of `packages` is missing; returns what it installed. */
export async function ensureDebianPackages(packages: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const p of packages) if (!(await installed(p))) missing.push(p);
  if (missing.length === 0) return [];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  let res = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
    env,
    reject: false,
  });
  if (res.exitCode !== 0) {
    await execa('apt-get', ['update', '-qq'], { env });
    res = await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], {
      env,
      reject: false,
    });
  }
  if (res.exitCode !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed: ${res.stderr}`);
  return missing;
}

/**
 * binfmt_misc is not mounted on a fresh machine, and binfmt-support's service does not start
 * under policy-rc.d: mount it and enable qemu-aarch64 so arm64 programs run in the build chroot.
 */
export async function ensureBinfmt(): Promise<void> {
  const mounted = await execa('mountpoint', ['-q', '/proc/sys/fs/binfmt_misc'], { reject: false });
  if (mounted.exitCode !== 0)
    await execa('mount', ['-t', 'binfmt_misc', 'binfmt_misc', '/proc/sys/fs/binfmt_misc']);
  const registered = await access('/proc/sys/fs/binfmt_misc/qemu-aarch64').then(
    () => true,
    () => false,
  );
  if (!registered) await execa('update-binfmts', ['--enable', 'qemu-aarch64']);
  await execa('arch-test', ['arm64']);
}
