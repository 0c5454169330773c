// The image's netboot path end to end: the qemu profile image (built or reused like the disk boot
// test) unpacked from rootfs.tar.gz into a directory, served by nfs-ganesha on the host's loopback
// over NFSv4.1, and booted under qemu-system-aarch64 with no disk at all, using the kernel command
// line `osbuild netboot render` writes (renderCmdline). The initramfs mounts the root with the
// kubernetes layer's NFSv4 script (initramfs-tools' own needs NFS v2/v3), systemd starts from NFS,
// osbuild-local-state moves containerd/kubelet state to a tmpfs, and the agent, configured only
// from the kernel command line and a claim file in its root (docs/netboot.md), enrols with a real
// controller, reports its boot source as netboot and is provisioned; its hostname is written through
// NFS into the served directory.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { netbootConfigSchema } from '../../../controller/src/netboot/config.js';
import { renderCmdline } from '../../../controller/src/netboot/render-boot.js';
import { freePort, operator, useCleanups, waitFor } from '../../../controller/test/support/e2e.js';
import { startGanesha } from './support/ganesha.js';
import { HOST_FROM_GUEST, prepareQemuImage, startGuestController } from './support/guest-controller.js';
import type { buildQemuImage } from './support/qemu-image.js';
import { startVm } from './support/qemu-vm.js';

const MAC = '52:54:00:0e:2e:02';
const HOSTNAME = 'e2e-netboot-01';
const CLAIM_FILE = '/etc/osbuild/claim';
/** nfs-ganesha from Debian: NFSv4 in user space (the host kernel has no nfsd). */
const NFS_PACKAGES = ['nfs-ganesha', 'nfs-ganesha-vfs'];

// No ip: a DHCP node, so no configure-network step touches the interface the root lives on.
const INVENTORY = `
cluster:
  name: e2e
bootstrap:
  scripts:
    - path: setup.sh
nodes:
  - mac: "${MAC}"
    hostname: ${HOSTNAME}
    role: worker
`;

/** Runs in the guest as root: what / is, to the step output and the serial console. */
const SETUP = `#!/bin/sh
set -eu
line="osbuild-e2e: hostname=$(hostname) root=$(findmnt -n -r -o FSTYPE,SOURCE /)"
echo "$line"
echo "$line" >/dev/console
`;

const log = (line: string) => process.stdout.write(`e2e: ${line}\n`);
const cleanups = useCleanups();
let image: Awaited<ReturnType<typeof buildQemuImage>>;

beforeAll(async () => {
  image = await prepareQemuImage(log, NFS_PACKAGES);
}, 30 * 60_000);

describe('qemu image, root on NFS', () => {
  it(
    'mounts its NFSv4 root from nfs-ganesha in the initramfs, enrols as a netboot node and is provisioned',
    async () => {
      const tmp = await mkdtemp(path.join(tmpdir(), 'osbuild-netboot-e2e-'));
      cleanups.push(() => rm(tmp, { recursive: true, force: true }));
      const root = path.join(tmp, 'root');
      await mkdir(root);
      const t0 = performance.now();
      await execa('tar', ['-xzf', path.join(image.dir, 'rootfs.tar.gz'), '-C', root, '--numeric-owner']);
      log(`rootfs.tar.gz unpacked in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

      const { controller, port, claimSecret, c } = await startGuestController(
        INVENTORY,
        { 'setup.sh': SETUP },
        cleanups,
      );
      const nfsPort = await freePort();

      // The claim lives in the node's root, never on the command line (/proc/cmdline is readable
      // by everyone); the server side of netboot puts it there.
      await writeFile(path.join(root, CLAIM_FILE), `${claimSecret}\n`, { mode: 0o600 });

      const ganesha = await startGanesha({ dir: root, port: nfsPort, work: tmp });
      cleanups.push(() => ganesha.stop());

      // The production cmdline.txt for this node. ganesha listens on a free port rather than 2049
      // so the test cannot collide with an NFS server on the host: the one change is `port=`.
      const config = netbootConfigSchema.parse({
        server: HOST_FROM_GUEST,
        network: '10.0.2.0',
        interface: 'eth0',
        dir: tmp,
        agent: {
          controller: `mqtts://${HOST_FROM_GUEST}:${port}`,
          caFingerprint: controller.caFingerprint,
          claimFile: CLAIM_FILE,
        },
      });
      const cmdline = renderCmdline(config, {
        name: HOSTNAME,
        tftpFolder: '0e2e0002',
        image: image.manifest.version,
        rootPath: root,
      }).trim();
      const nfsroot = `nfsroot=${HOST_FROM_GUEST}:${root},vers=4.1,proto=tcp`;
      expect(cmdline).toContain(` root=/dev/nfs ${nfsroot} `);
      expect(cmdline).toContain(' ip=dhcp ');
      const append = `${cmdline.replace(nfsroot, `${nfsroot},port=${nfsPort}`)} console=ttyAMA0 systemd.journald.forward_to_console=1`;

      const boot = path.join(image.dir, 'boot');
      const vm = startVm({
        kernel: path.join(boot, 'vmlinuz'),
        initrd: path.join(boot, 'initrd.img'),
        append,
        mac: MAC,
      });
      cleanups.push(() => vm.stop());

      const rpc = await operator(c, 10_000);
      cleanups.push(() => rpc.close());
      try {
        // The initramfs's NFSv4 mount (files/initramfs-scripts-nfs), then systemd from the NFS root.
        await vm.waitForConsole(/Mounting 10\.0\.2\.2:\S+ \(NFSv4: [^)]*\) \.\.\. done/, 4 * 60_000);
        log(`boot-to-nfs-root ${((Date.now() - vm.startedAt) / 1000).toFixed(1)} s`);
        await vm.waitForConsole(/osbuild-local-state: \/var\/lib\/containerd -> /, 4 * 60_000);

        const hello = await waitFor(
          'the guest agent to say hello',
          async () => (await rpc.call('nodes.list', {})).find((n) => n.mac === MAC),
          6 * 60_000,
        );
        const helloAt = Date.now();
        log(`boot-to-hello ${((helloAt - vm.startedAt) / 1000).toFixed(1)} s (node ${hello.nodeId})`);

        const provisioned = await waitFor(
          `${HOSTNAME} to be provisioned`,
          async () => {
            const n = await rpc.call('nodes.show', { name: HOSTNAME });
            if (n.phase === 'failed') throw new Error(`node failed: ${n.reason}`);
            return n.phase === 'provisioned' ? n : undefined;
          },
          4 * 60_000,
        );
        const provisionedAt = Date.now();
        log(`hello-to-provisioned ${((provisionedAt - helloAt) / 1000).toFixed(1)} s`);
        log(`boot-to-provisioned ${((provisionedAt - vm.startedAt) / 1000).toFixed(1)} s`);

        expect(provisioned.bootSource).toBe('netboot');
        expect(provisioned.imageVersion).toBe(image.manifest.version);
        expect(provisioned.run?.steps.map((s) => [s.kind, s.state])).toEqual([
          ['set-hostname', 'succeeded'],
          ['run-script', 'succeeded'],
          ['mark-provisioned', 'succeeded'],
        ]);
        // The guest's own view of /: NFSv4 from the host, the directory this test serves.
        const script = provisioned.run?.steps.find((s) => s.kind === 'run-script');
        expect(script?.outputTail).toContain(
          `osbuild-e2e: hostname=${HOSTNAME} root=nfs4 ${HOST_FROM_GUEST}:${root}`,
        );
        // And the host's: the hostname the set-hostname step wrote went through NFS into it.
        expect(await readFile(path.join(root, 'etc/hostname'), 'utf8')).toBe(`${HOSTNAME}\n`);
      } catch (err) {
        log(`serial console tail:\n${vm.console().slice(-6000)}`);
        log(`ganesha log tail:\n${(await readFile(ganesha.logFile, 'utf8').catch(() => '')).slice(-1500)}`);
        throw err;
      }
    },
    15 * 60_000,
  );
});
