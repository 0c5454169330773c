// Inventory + netboot.yaml for netboot tests, built as objects and parsed by the real schemas.
import { type Inventory, inventorySchema } from '@osbuild/shared';
import { type NetbootConfig, netbootConfigSchema } from '../../src/netboot/config.js';

/** Three boards: two netboot (one with a static address), one on NVMe. */
export function netbootInventory(overrides: { nodes?: unknown[]; defaultImage?: string } = {}): Inventory {
  return inventorySchema.parse({
    cluster: { name: 'lab' },
    defaults: { netboot: { image: overrides.defaultImage ?? 'v1' } },
    nodes: overrides.nodes ?? [
      {
        hostname: 'pi-cp-1',
        role: 'control-plane',
        serial: '10000000aabbccdd',
        ip: '10.0.10.11/24',
        netboot: {},
      },
      {
        hostname: 'pi-w-1',
        role: 'worker',
        serial: 'c0ffee01',
        mac: 'd8:3a:dd:00:00:02',
        netboot: { image: 'v1' },
      },
      { hostname: 'pi-nvme', role: 'worker', serial: '0badf00d', mac: 'd8:3a:dd:00:00:03' },
    ],
  });
}

/** netboot.yaml for a server at `server` with its tree under `dir`. */
export function netbootConfig(dir: string, extra: Record<string, unknown> = {}): NetbootConfig {
  return netbootConfigSchema.parse({
    server: '10.0.10.2',
    network: '10.0.10.0',
    interface: 'eth0',
    dir,
    agent: {
      controller: 'mqtts://10.0.10.2:8883',
      caFingerprint:
        'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89',
      claimFile: '/etc/osbuild/claim',
    },
    ...extra,
  });
}
