// Golden files for the pure renderers: the exact bytes dnsmasq, the NFS servers and the Pi
// firmware read. Regenerate with UPDATE_GOLDEN=1 after an intended change and review the diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { netbootNodes } from '../../src/netboot/plan.js';
import { renderCmdline, renderConfigTxt } from '../../src/netboot/render-boot.js';
import { renderDnsmasqConf } from '../../src/netboot/render-dnsmasq.js';
import { exportIds, renderGaneshaExports, renderKernelExports } from '../../src/netboot/render-exports.js';
import { netbootConfig, netbootInventory } from '../support/netboot-fixture.js';

const GOLDEN = fileURLToPath(new URL('../../../test/fixtures/netboot/golden/', import.meta.url));

function golden(name: string, actual: string): void {
  const file = `${GOLDEN}${name}`;
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, actual);
  expect(existsSync(file), `missing golden file ${file} (UPDATE_GOLDEN=1 writes it)`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

const config = netbootConfig('/srv/osbuild-netboot');
const nodes = netbootNodes(netbootInventory(), config);

describe('netboot renderers (golden files)', () => {
  it('selects only netboot nodes, sorted, with the last 8 serial digits as TFTP folder', () => {
    expect(nodes.map((n) => [n.name, n.tftpFolder, n.image, n.ip ?? null])).toEqual([
      ['pi-cp-1', 'aabbccdd', 'v1', '10.0.10.11'],
      ['pi-w-1', 'c0ffee01', 'v1', null],
    ]);
  });

  it('dnsmasq.conf: proxy DHCP, Raspberry Pi Boot, TFTP on one interface', () => {
    const text = renderDnsmasqConf(config);
    expect(text).toContain('dhcp-range=10.0.10.0,proxy\n');
    expect(text).toContain('pxe-service=0,"Raspberry Pi Boot"\n');
    expect(text).toContain('interface=eth0\n');
    expect(text).toContain('tftp-root=/srv/osbuild-netboot/current/tftp\n');
    golden('dnsmasq.conf', text);
  });

  it('/etc/exports: one root per node, no_root_squash, own address or the boot subnet', () => {
    const text = renderKernelExports(config, nodes);
    expect(text).toContain('/srv/osbuild-netboot/roots/pi-cp-1 10.0.10.11(rw,');
    expect(text).toContain('/srv/osbuild-netboot/roots/pi-w-1 10.0.10.0/24(rw,');
    expect(text).not.toContain('pi-nvme');
    golden('exports', text);
  });

  it('ganesha EXPORT blocks', () => {
    golden('ganesha-exports.conf', renderGaneshaExports(config, nodes));
  });

  it('cmdline.txt: NFS root, ip=dhcp, cgroups and the agent parameters, one line', () => {
    const text = renderCmdline(config, nodes[0] as (typeof nodes)[0]);
    expect(text.trimEnd().includes('\n')).toBe(false);
    expect(text).toContain('nfsroot=10.0.10.2:/srv/osbuild-netboot/roots/pi-cp-1,vers=4.1,proto=tcp');
    expect(text).not.toContain('osbuild.claim=');
    golden('cmdline.txt', text);
  });

  it('config.txt keeps the image text under a header', () => {
    golden('config.txt', renderConfigTxt('[all]\narm_64bit=1\n', nodes[1] as (typeof nodes)[0]));
  });

  it('same input gives the same bytes; export ids do not move when a node is added', () => {
    expect(renderGaneshaExports(config, nodes)).toBe(renderGaneshaExports(config, [...nodes]));
    const more = netbootNodes(
      netbootInventory({
        nodes: [
          { hostname: 'aa-first', role: 'worker', serial: '11111111', netboot: {} },
          { hostname: 'pi-cp-1', role: 'control-plane', serial: '10000000aabbccdd', netboot: {} },
        ],
      }),
      config,
    );
    expect(exportIds(more).get('pi-cp-1')).toBe(exportIds(nodes).get('pi-cp-1'));
  });
});
