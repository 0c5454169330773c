import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configureNetwork } from '../../src/steps/configure-network.js';
import { fixtureContext, step } from '../support/step-context.js';

const input = {
  kind: 'configure-network' as const,
  interface: 'eth0',
  address: '10.0.10.11/24',
  gateway: '10.0.10.1',
  dns: ['10.0.10.1', '1.1.1.1'],
};

describe('configure-network executor (fixture seam)', () => {
  it('auto picks NetworkManager when /etc/NetworkManager exists (pi5-a): keyfile 0600, reload once', async () => {
    const { ctx, root, actions } = await fixtureContext('pi5-a');
    expect(await configureNetwork(step(input), ctx)).toEqual({ status: 'succeeded', changed: true });
    const file = path.join(root, 'etc/NetworkManager/system-connections/osbuild-eth0.nmconnection');
    const text = await readFile(file, 'utf8');
    expect(text).toContain('id=osbuild-eth0\n');
    expect(text).toContain('interface-name=eth0\n');
    expect(text).toContain('method=manual\naddress1=10.0.10.11/24,10.0.10.1\ndns=10.0.10.1;1.1.1.1;\n');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await configureNetwork(step(input), ctx)).toEqual({ status: 'succeeded', changed: false });
    expect(await actions()).toMatchObject([
      { action: 'reload-network', stack: 'networkmanager', interface: 'eth0' },
    ]);
  });

  it('auto picks systemd-networkd otherwise (pi5-c)', async () => {
    const { ctx, root, actions } = await fixtureContext('pi5-c');
    expect(await configureNetwork(step(input), ctx)).toEqual({ status: 'succeeded', changed: true });
    const text = await readFile(path.join(root, 'etc/systemd/network/10-osbuild-eth0.network'), 'utf8');
    expect(text).toContain('[Match]\nName=eth0\n');
    expect(text).toContain('Address=10.0.10.11/24\nGateway=10.0.10.1\nDNS=10.0.10.1\nDNS=1.1.1.1\n');
    expect(await configureNetwork(step(input), ctx)).toEqual({ status: 'succeeded', changed: false });
    expect(await actions()).toMatchObject([{ action: 'reload-network', stack: 'networkd' }]);
  });

  it('an explicit stack wins over detection, and a changed address rewrites the file', async () => {
    const { ctx, root } = await fixtureContext('pi5-a');
    await configureNetwork(step({ ...input, stack: 'networkd' }), ctx);
    const file = path.join(root, 'etc/systemd/network/10-osbuild-eth0.network');
    expect(await readFile(file, 'utf8')).toContain('Address=10.0.10.11/24');
    const moved = await configureNetwork(
      step({ ...input, stack: 'networkd', address: '10.0.10.99/24' }),
      ctx,
    );
    expect(moved).toEqual({ status: 'succeeded', changed: true });
    expect(await readFile(file, 'utf8')).toContain('Address=10.0.10.99/24');
  });
});
