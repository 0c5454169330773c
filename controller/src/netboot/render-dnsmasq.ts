// dnsmasq as proxy DHCP + TFTP for Pi 5 network boot. Proxy mode answers the boot ROM's PXE
// question beside the operator's router, which keeps handing out the addresses.
import type { NetbootConfig } from './config.js';
import { netbootLayout } from './layout.js';

/**
 * The dnsmasq configuration. It names no node: boards are told "Raspberry Pi Boot" and find their
 * own folder by serial, so adding a node never restarts dnsmasq.
 */
export function renderDnsmasqConf(config: NetbootConfig): string {
  const layout = netbootLayout(config.dir);
  return [
    '# Rendered by `osbuild netboot render` from netboot.yaml; edits are overwritten.',
    '# No DNS: this dnsmasq only does proxy DHCP and TFTP.',
    'port=0',
    `interface=${config.interface}`,
    'bind-interfaces',
    // Proxy mode: never hands out leases, only adds boot information to the router's offers.
    // [dnsmasq(8) --dhcp-range ... proxy; Raspberry Pi docs "Network boot your Raspberry Pi"]
    `dhcp-range=${config.network},proxy`,
    'leasefile-ro',
    'log-dhcp',
    // The Pi 5 bootloader sends PXEClient:Arch:00000 and looks for this exact service name.
    'pxe-service=0,"Raspberry Pi Boot"',
    'enable-tftp',
    // No tftp-secure: dnsmasq drops to `nobody`, and tftp-secure would then refuse the root-owned
    // image files; they are world-readable (0444) and dnsmasq refuses names with `..` anyway.
    `tftp-root=${layout.tftpRoot}`,
    '',
  ].join('\n');
}
