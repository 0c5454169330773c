// The image end to end: build (or reuse) the qemu profile image with the x64-built arm64 agent
// inside, configure a copy of disk.img the way a person would after flashing (osbuild.yaml on the
// FAT boot partition, written with mtools), boot it under qemu-system-aarch64, and watch the agent
// in the guest enrol with a real controller on the host and pass its whole plan: set-hostname,
// configure-network (systemd-networkd), a bootstrap script fetched with git over HTTP, and
// mark-provisioned. Then `osbuild reboot`: the guest reboots for real and the command succeeds only
// when the agent says hello again with a new boot id, still provisioned (the plan is not re-run).
import { copyFile, mkdtemp, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isTerminalCommandState } from '@osbuild/shared';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { operator, useCleanups, waitFor } from '../../../controller/test/support/e2e.js';
import { HOST_FROM_GUEST, prepareQemuImage, startGuestController } from './support/guest-controller.js';
import type { buildQemuImage } from './support/qemu-image.js';
import { startVm } from './support/qemu-vm.js';

const MAC = '52:54:00:0e:2e:01';
const HOSTNAME = 'e2e-node-01';
const BOOT_PARTITION_OFFSET = 1024 * 1024;
/** The "drive" the image is flashed onto: larger than disk.img, as every real one is. */
const DRIVE_BYTES = 4 * 1024 ** 3;

const INVENTORY = `
cluster:
  name: e2e
defaults:
  network:
    interface: eth0
    prefix: 24
    gateway: 10.0.2.2
    dns: [10.0.2.3]
    stack: networkd
  stepRetries: 1
bootstrap:
  scripts:
    - path: setup.sh
nodes:
  - mac: "${MAC}"
    hostname: ${HOSTNAME}
    role: worker
    ip: 10.0.2.15
`;

/** Runs in the guest as root: reports what it sees to the step output and the serial console. */
const SETUP = `#!/bin/sh
set -eu
line="osbuild-e2e: hostname=$(hostname) arch=$(uname -m) role=$OSBUILD_ROLE"
echo "$line"
echo "$line" >/dev/console
`;

const log = (line: string) => process.stdout.write(`e2e: ${line}\n`);
const cleanups = useCleanups();
let image: Awaited<ReturnType<typeof buildQemuImage>>;

beforeAll(async () => {
  image = await prepareQemuImage(log);
}, 30 * 60_000);

describe('qemu image, booted', () => {
  it(
    'boots, enrols with the host controller over TLS and is provisioned',
    async () => {
      const tmp = await mkdtemp(path.join(tmpdir(), 'osbuild-qemu-e2e-'));
      cleanups.push(() => rm(tmp, { recursive: true, force: true }));

      const { controller, port, claimSecret, c } = await startGuestController(
        INVENTORY,
        { 'setup.sh': SETUP },
        cleanups,
      );
      expect(controller.caFingerprint).toBeTruthy();

      // The "edit after flashing" path: osbuild.yaml on the FAT boot partition, written with mtools
      // straight into the image file (no mount).
      const disk = path.join(tmp, 'disk.img');
      await copyFile(path.join(image.dir, 'disk.img'), disk);
      const imageBytes = (await stat(disk)).size;
      await truncate(disk, DRIVE_BYTES);
      const config = path.join(tmp, 'osbuild.yaml');
      await writeFile(
        config,
        `controller: mqtts://${HOST_FROM_GUEST}:${port}\nca_fingerprint: "${controller.caFingerprint}"\nclaim: ${claimSecret}\n`,
      );
      await execa('mcopy', ['-o', '-i', `${disk}@@${BOOT_PARTITION_OFFSET}`, config, '::/osbuild.yaml'], {
        env: { MTOOLS_SKIP_CHECK: '1' },
      });
      const readBack = await execa('mtype', ['-i', `${disk}@@${BOOT_PARTITION_OFFSET}`, '::/osbuild.yaml'], {
        env: { MTOOLS_SKIP_CHECK: '1' },
      });
      expect(readBack.stdout).toContain(`controller: mqtts://${HOST_FROM_GUEST}:${port}`);

      const boot = path.join(image.dir, 'boot');
      const vm = startVm({
        disk,
        kernel: path.join(boot, 'vmlinuz'),
        initrd: path.join(boot, 'initrd.img'),
        // The image's own cmdline.txt (root=PARTUUID=<fixed disk id>-02), as the Pi firmware uses it.
        // journald forwards to the console so the agent's own log lines are in the console tail
        // printed when the test fails.
        append: `${(await readFile(path.join(boot, 'cmdline.txt'), 'utf8')).trim()} systemd.journald.forward_to_console=1`,
        mac: MAC,
      });
      cleanups.push(() => vm.stop());

      const rpc = await operator(c, 10_000);
      cleanups.push(() => rpc.close());
      try {
        const hello = await waitFor(
          'the guest agent to say hello',
          async () => (await rpc.call('nodes.list', {})).find((n) => n.mac === MAC),
          8 * 60_000,
        );
        const helloAt = Date.now();
        log(
          `boot-to-hello ${((helloAt - vm.startedAt) / 1000).toFixed(1)} s (node ${hello.nodeId}, phase ${hello.phase})`,
        );

        const provisioned = await waitFor(
          `${HOSTNAME} to be provisioned`,
          async () => {
            const n = await rpc.call('nodes.show', { name: HOSTNAME });
            if (n.phase === 'failed') throw new Error(`node failed: ${n.reason}`);
            return n.phase === 'provisioned' ? n : undefined;
          },
          6 * 60_000,
        );
        const provisionedAt = Date.now();
        log(`hello-to-provisioned ${((provisionedAt - helloAt) / 1000).toFixed(1)} s`);
        log(`boot-to-provisioned ${((provisionedAt - vm.startedAt) / 1000).toFixed(1)} s`);

        expect(provisioned.online).toBe(true);
        expect(provisioned.imageVersion).toBe(image.manifest.version);
        expect(provisioned.agentVersion).toBe(image.manifest.agent.version);
        expect(provisioned.bootSource).toBe('other'); // virtio-blk: neither NVMe, SD, USB nor NFS
        expect(provisioned.run?.steps.map((s) => [s.kind, s.state])).toEqual([
          ['set-hostname', 'succeeded'],
          ['configure-network', 'succeeded'],
          ['run-script', 'succeeded'],
          ['mark-provisioned', 'succeeded'],
        ]);
        // The hostname as the guest's kernel reports it after the set-hostname step, read back
        // through the agent (the script's output) and on the serial console.
        const script = provisioned.run?.steps.find((s) => s.kind === 'run-script');
        expect(script?.outputTail).toContain(`osbuild-e2e: hostname=${HOSTNAME} arch=aarch64 role=worker`);
        await vm.waitForConsole(new RegExp(`osbuild-e2e: hostname=${HOSTNAME} arch=aarch64`), 10_000);

        // First boot grew the root partition and file system to the end of the drive
        // (osbuild-grow-root), as the agent's telemetry reports the size of /.
        await vm.waitForConsole(/osbuild-grow-root: \/dev\/vda2 grown from \d+ to \d+ MiB/, 10_000);
        const root = await waitFor(
          'telemetry with the size of /',
          async () =>
            (await rpc.call('nodes.show', { name: HOSTNAME })).telemetry?.disks.find((d) => d.mount === '/'),
          2 * 60_000,
        );
        log(
          `root file system ${(root.totalBytes / 1024 ** 2).toFixed(0)} MiB on a ${DRIVE_BYTES / 1024 ** 2} MiB drive`,
        );
        // Larger than the whole image by 1 GiB: only a grown root can be (the drive adds 2.3 GiB).
        expect(root.totalBytes).toBeGreaterThan(imageBytes + 1024 ** 3);

        // A reboot through the agent: the guest's systemd reboots, QEMU resets the machine in
        // place, and the controller confirms the command on the next boot's hello.
        const { command } = await rpc.call('commands.create', { action: 'reboot', name: HOSTNAME });
        const rebootAt = Date.now();
        const rebooted = await waitFor(
          'the reboot command to finish',
          async () => {
            const cmd = await rpc.call('commands.show', { id: command.id });
            return isTerminalCommandState(cmd.state) ? cmd : undefined;
          },
          8 * 60_000,
        );
        log(
          `reboot command ${rebooted.state} after ${((Date.now() - rebootAt) / 1000).toFixed(1)} s: ${rebooted.reason}`,
        );
        expect(rebooted.state).toBe('succeeded');
        expect(rebooted.bootIdBefore).toBeTruthy();
        expect(rebooted.bootIdAfter).toBeTruthy();
        expect(rebooted.bootIdAfter).not.toBe(rebooted.bootIdBefore);
        const back = await rpc.call('nodes.show', { name: HOSTNAME });
        expect(back.online).toBe(true);
        expect(back.phase).toBe('provisioned');
        expect(back.bootId).toBe(rebooted.bootIdAfter);
        // The plan ran once: the script's console line appears once per boot that ran it.
        expect(vm.console().match(/osbuild-e2e: hostname=/g)?.length).toBe(1);
      } catch (err) {
        log(`serial console tail:\n${vm.console().slice(-6000)}`);
        throw err;
      }
    },
    15 * 60_000,
  );
});
