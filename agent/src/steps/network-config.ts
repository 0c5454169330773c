import type { StepOf } from '@osbuild/shared';

type NetworkStep = StepOf<'configure-network'>;

/** Name of the NetworkManager connection the agent owns for `iface`. */
export function nmConnectionId(iface: string): string {
  return `osbuild-${iface}`;
}

/** A NetworkManager keyfile (nm-settings-keyfile(5)) for a static IPv4 address. */
export function renderNmKeyfile(step: NetworkStep): string {
  const id = nmConnectionId(step.interface);
  const address = step.gateway ? `${step.address},${step.gateway}` : step.address;
  const lines = [
    '# Written by osbuild-agent; changes are overwritten.',
    '[connection]',
    `id=${id}`,
    'type=ethernet',
    `interface-name=${step.interface}`,
    'autoconnect=true',
    // Above the image's default DHCP profile, so this one wins on boot.
    'autoconnect-priority=100',
    '',
    '[ipv4]',
    'method=manual',
    `address1=${address}`,
  ];
  if (step.dns.length > 0) lines.push(`dns=${step.dns.join(';')};`);
  lines.push('', '[ipv6]', 'method=ignore', '');
  return lines.join('\n');
}

/** A systemd-networkd unit (systemd.network(5)) for a static IPv4 address. */
export function renderNetworkdUnit(step: NetworkStep): string {
  const lines = [
    '# Written by osbuild-agent; changes are overwritten.',
    '[Match]',
    `Name=${step.interface}`,
    '',
    '[Network]',
    `Address=${step.address}`,
  ];
  if (step.gateway) lines.push(`Gateway=${step.gateway}`);
  for (const dns of step.dns) lines.push(`DNS=${dns}`);
  lines.push('');
  return lines.join('\n');
}
