// nfs-ganesha's main configuration: the settings a node whose root is the export depends on.
import { describe, expect, it } from 'vitest';
import { netbootConfigSchema } from '../../src/netboot/config.js';
import { renderGaneshaMain } from '../../src/netboot/render-exports.js';

const config = netbootConfigSchema.parse({
  server: '10.0.10.2',
  network: '10.0.10.0',
  interface: 'eth0',
  dir: '/srv/osbuild',
  agent: { controller: 'mqtts://10.0.10.2:8883' },
});

describe('renderGaneshaMain', () => {
  const text = renderGaneshaMain(config, '/srv/osbuild/current/ganesha-exports.conf');

  it('sends owners as numbers, so an NFS-root client never needs its idmap upcall', () => {
    // The upcall's helper would be exec'd from the NFS root itself: pid 1 hangs in
    // nfs_idmap_get_key (seen booting the qemu image from ganesha; docs/netboot.md).
    expect(text).toMatch(/NFSV4 \{[^}]*\n {2}Only_Numeric_Owners = true;\n/);
  });

  it('serves NFSv4 over TCP only on the server address, graceless, and includes the exports', () => {
    expect(text).toContain('  Protocols = 4;\n');
    expect(text).toContain('  Bind_addr = 10.0.10.2;\n');
    expect(text).toContain('  Enable_UDP = false;\n');
    expect(text).toContain('  Graceless = true;\n');
    expect(text).toContain('%include "/srv/osbuild/current/ganesha-exports.conf"\n');
  });

  it('spells ganesha 4.3 parameters as it knows them (Privileged_Port is an unknown parameter)', () => {
    expect(text).toContain('  PrivilegedPort = false;\n');
    expect(text).not.toContain('Privileged_Port');
  });
});
