// The rendered netboot server with real daemons in network namespaces this test creates: dnsmasq
// answers a Pi 5 DHCPDISCOVER with a proxy offer carrying "Raspberry Pi Boot" and serves the
// node's TFTP folder; nfs-ganesha serves the node's root from the rendered exports to that node's
// address only, read and written with libnfs; a root reset is seen by the NFS client.
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inventorySchema } from '@osbuild/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exec } from '../../src/host/exec.js';
import { importImage } from '../../src/netboot/image-import.js';
import { netbootLayout } from '../../src/netboot/layout.js';
import { createNetbootReset } from '../../src/netboot/netboot-reset.js';
import { renderNetboot } from '../../src/netboot/render-tree.js';
import { netbootConfig } from '../support/netboot-fixture.js';
import { makeImageVersion } from '../support/netboot-image.js';
import { createNetnsPair, type NetnsPair, netnsUnavailableReason, waitForOutput } from '../support/netns.js';

const PXE_DISCOVER = fileURLToPath(new URL('../support/pxe-discover.mjs', import.meta.url));
const unavailable = await netnsUnavailableReason();
if (unavailable && process.env.CI) throw new Error(`netboot namespace tests must run in CI: ${unavailable}`);
if (unavailable) console.warn(`SKIPPED netboot namespace tests: ${unavailable}`);

describe.skipIf(unavailable !== undefined)(
  `netboot with real dnsmasq and nfs-ganesha in network namespaces${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    let work: string;
    let net: NetnsPair;
    let nodeIp: string;
    const now = () => new Date();

    beforeAll(async () => {
      work = await mkdtemp(join(tmpdir(), 'osbuild-netboot-ns-'));
      // dnsmasq drops to `nobody`: the tree it serves must be traversable by others.
      await chmod(work, 0o755);
      net = await createNetnsPair('nb');
      nodeIp = net.serverIp.replace(/\.1$/, '.50');
    }, 60_000);
    const daemonPidFiles: string[] = [];
    afterAll(async () => {
      // Daemonised by the reload hook: killed by the pid it wrote, nothing else.
      for (const f of daemonPidFiles) {
        const pid = Number((await readFile(f, 'utf8').catch(() => '')).trim());
        if (pid > 0) process.kill(pid, 'SIGTERM');
      }
      await net?.cleanup();
      await rm(work, { recursive: true, force: true });
    });

    function configFor() {
      return netbootConfig(join(work, 'srv'), {
        server: net.serverIp,
        network: net.subnet,
        interface: net.serverIf,
      });
    }
    function inventory() {
      return inventorySchema.parse({
        defaults: { netboot: { image: 'v1' } },
        nodes: [
          {
            hostname: 'pi-a',
            role: 'worker',
            serial: '10000000aabbccdd',
            ip: nodeIp,
            mac: '02:00:00:00:00:0a',
            netboot: {},
          },
        ],
      });
    }

    it('renders, then serves a proxy offer, TFTP files and the NFS root; a reset is seen over NFS', async () => {
      const config = configFor();
      const layout = netbootLayout(config.dir);
      await importImage(await makeImageVersion(join(work, 'out'), 'v1'), layout, { exec });
      const report = await renderNetboot(inventory(), config, { exec, now });
      expect(report.nodes).toEqual([
        expect.objectContaining({ name: 'pi-a', tftpFolder: 'aabbccdd', root: 'created' }),
      ]);

      // --- dnsmasq with exactly the rendered configuration.
      const dnsmasqLog = join(work, 'dnsmasq.log');
      const dnsmasq = net.spawn(net.server, [
        'dnsmasq',
        '--keep-in-foreground',
        `--conf-file=${join(layout.current, 'dnsmasq.conf')}`,
        `--log-facility=${dnsmasqLog}`,
        `--pid-file=${join(work, 'dnsmasq.pid')}`,
      ]);
      await waitForFile(dnsmasqLog, /TFTP root is/, 10_000);
      expect(dnsmasq.exitCode).toBeNull();

      // A Pi 5's DHCPDISCOVER: proxy offer (no address given), option 43 naming the boot service.
      const { stdout } = await net.exec(net.client, [
        process.execPath,
        PXE_DISCOVER,
        '02:00:00:00:00:0a',
        '2500',
      ]);
      const { offers } = JSON.parse(stdout) as { offers: Record<string, unknown>[] };
      expect(offers).toEqual([
        expect.objectContaining({
          from: net.serverIp,
          serverId: net.serverIp,
          yiaddr: '0.0.0.0',
          vendorClass: 'PXEClient',
          pxeMenu: 'Raspberry Pi Boot',
        }),
      ]);
      // A real DHCP client (ISC dhclient) sending the same PXE options sees the proxy offer too.
      const dhclientConf = join(work, 'dhclient.conf');
      await (await import('node:fs/promises')).writeFile(
        dhclientConf,
        [
          'option pxe-system-type code 93 = unsigned integer 16;',
          'option pxe-interface-id code 94 = string;',
          'option pxe-client-id code 97 = string;',
          'send vendor-class-identifier "PXEClient:Arch:00000:UNDI:002001";',
          'send pxe-system-type 0;',
          'send pxe-interface-id 01:02:01;',
          'send pxe-client-id 00:52:61:73:70:62:65:72:72:79:50:69:35:00:00:00:01;',
          'request subnet-mask, vendor-encapsulated-options;',
          '',
        ].join('\n'),
      );
      const dhclient = net.spawn(net.client, [
        'dhclient',
        '-d',
        '-1',
        '-v',
        '-cf',
        dhclientConf,
        '-lf',
        join(work, 'dhclient.lease'),
        '-pf',
        join(work, 'dhclient.pid'),
        '-sf',
        '/bin/true',
        net.clientIf,
      ]);
      expect(await waitForOutput(dhclient, /DHCPOFFER of 0\.0\.0\.0 from [\d.]+/, 20_000)).toBe(
        `DHCPOFFER of 0.0.0.0 from ${net.serverIp}`,
      );
      dhclient.kill('SIGTERM');
      expect(await readFile(dnsmasqLog, 'utf8')).toMatch(/PXE\(.*\) 02:00:00:00:00:0a proxy/);

      // TFTP, as the bootloader and firmware fetch: <serial>/config.txt, cmdline.txt, the kernel.
      await net.setClientAddress(nodeIp);
      const tftpGot = join(work, 'tftp-got');
      await (await import('node:fs/promises')).mkdir(tftpGot);
      for (const file of ['config.txt', 'cmdline.txt']) {
        await net.exec(net.client, [
          'tftp',
          net.serverIp,
          '-m',
          'binary',
          '-c',
          'get',
          `aabbccdd/${file}`,
          join(tftpGot, file),
        ]);
        expect(await readFile(join(tftpGot, file), 'utf8')).toBe(
          await readFile(join(layout.tftpRoot, 'aabbccdd', file), 'utf8'),
        );
      }
      expect(await readFile(join(tftpGot, 'cmdline.txt'), 'utf8')).toContain(
        `nfsroot=${net.serverIp}:${layout.root('pi-a')},vers=4.1`,
      );
      const kernel = await net.exec(net.client, [
        'curl',
        '-sS',
        '--fail',
        `tftp://${net.serverIp}/aabbccdd/kernel_2712.img`,
      ]);
      expect(kernel.stdout).toBe(await readFile(join(layout.imageBoot('v1'), 'kernel_2712.img'), 'utf8'));
      // Another board's folder does not exist.
      await expect(
        net.exec(net.client, ['curl', '-sS', '--fail', `tftp://${net.serverIp}/0badf00d/config.txt`]),
      ).rejects.toThrow();

      // --- nfs-ganesha with the rendered main config (which includes the rendered exports).
      const ganesha = startGanesha(net, layout.current, work);
      await waitForFile(join(work, 'ganesha.log'), /NFS SERVER INITIALIZED/, 20_000);
      const url = (path: string) => `nfs://${net.serverIp}${layout.root('pi-a')}${path}?version=4`;
      const cat = (path: string) => net.exec(net.client, ['nfs-cat', url(path)]);
      expect((await cat('/etc/hostname')).stdout).toBe('pi-a\n');
      expect((await net.exec(net.client, ['nfs-ls', url('/etc')])).stdout).toMatch(/fstab/);
      // rw and no_root_squash: the node (root) writes its own files.
      const local = join(work, 'written.txt');
      await (await import('node:fs/promises')).writeFile(local, 'node state\n');
      await net.exec(net.client, ['nfs-cp', local, url('/var/lib/osbuild/written.txt')]);
      expect(await readFile(join(layout.root('pi-a'), 'var/lib/osbuild/written.txt'), 'utf8')).toBe(
        'node state\n',
      );

      // Only the node's own address may mount its root.
      await net.setClientAddress(nodeIp.replace(/\.50$/, '.51'));
      await expect(cat('/etc/hostname')).rejects.toThrow();
      await net.setClientAddress(nodeIp);

      // Reset: the fresh root replaces the old one and the reload hook restarts ganesha (what
      // `systemctl restart nfs-ganesha` does on a real server); the client sees a pristine tree.
      ganesha.kill('SIGTERM');
      await new Promise((r) => ganesha.once('exit', r));
      const restart = join(work, 'restart-ganesha.sh');
      const pidFile = join(work, 'ganesha-daemon.pid');
      await (await import('node:fs/promises')).writeFile(
        restart,
        [
          'set -e',
          `if [ -f ${pidFile} ]; then pid=$(cat ${pidFile}); kill "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; fi`,
          `ip netns exec ${net.server} ganesha.nfsd -L ${join(work, 'ganesha2.log')} -f ${join(layout.current, 'ganesha.conf')} -p ${pidFile}`,
          '',
        ].join('\n'),
      );
      daemonPidFiles.push(pidFile);
      const withHook = { ...config, reload: { nfs: ['sh', restart] } };
      const reset = createNetbootReset({ config: withHook, inventory: async () => inventory(), exec, now });
      const result = await reset.resetRoot('pi-a');
      expect(result).toMatchObject({ replaced: true, fromSpare: true, nfsReload: `ran sh ${restart}` });
      await result.background;
      await waitForFile(join(work, 'ganesha2.log'), /NFS SERVER INITIALIZED/, 20_000);
      await expect(cat('/var/lib/osbuild/written.txt')).rejects.toThrow();
      expect((await cat('/etc/hostname')).stdout).toBe('pi-a\n');
    }, 120_000);
  },
);

function startGanesha(net: NetnsPair, current: string, work: string, log = 'ganesha.log') {
  return net.spawn(net.server, [
    'ganesha.nfsd',
    '-F',
    '-L',
    join(work, log),
    '-f',
    join(current, 'ganesha.conf'),
    '-p',
    join(work, `${log}.pid`),
  ]);
}

async function waitForFile(file: string, pattern: RegExp, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => '');
    if (pattern.test(text)) return;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${pattern} in ${file}: ${text.slice(-800)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
