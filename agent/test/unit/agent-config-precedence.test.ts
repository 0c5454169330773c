import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { copyHostFixture } from '@osbuild/test-support/host-root';
import { afterEach, describe, expect, it } from 'vitest';
import { loadAgentConfig } from '../../src/config/load-config.js';
import { hostPaths } from '../../src/host/paths.js';

const BASE_CMDLINE = 'console=serial0,115200 root=PARTUUID=11aa22bb-02 rootwait';
const roots: string[] = [];

/** A copied fixture root with the given kernel command line and configuration files (0600). */
async function hostWith(files: { cmdline?: string; boot?: string; image?: string }): Promise<string> {
  const root = await copyHostFixture('pi5-a');
  roots.push(root);
  await writeFile(path.join(root, 'proc/cmdline'), `${files.cmdline ?? BASE_CMDLINE}\n`);
  const put = async (rel: string, text: string | undefined) => {
    if (text === undefined) return;
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), text, { mode: 0o600 });
  };
  await put('boot/firmware/osbuild.yaml', files.boot);
  await put('etc/osbuild/agent.yaml', files.image);
  return root;
}

afterEach(async () => {
  await Promise.all(roots.splice(0).map((r) => rm(r, { recursive: true, force: true })));
});

describe('agent configuration precedence', () => {
  it('is empty without osbuild.* parameters or files', async () => {
    const root = await hostWith({});
    expect(await loadAgentConfig(hostPaths(root))).toEqual({ warnings: [] });
  });

  it('kernel command line wins over osbuild.yaml, which wins over agent.yaml, per setting', async () => {
    const root = await hostWith({
      cmdline: `${BASE_CMDLINE} osbuild.controller=mqtts://10.0.0.1:8883`,
      boot: 'controller: mqtts://10.0.0.2:8883\nca_fingerprint: "ab:cd"\n',
      image: 'controller: mqtts://10.0.0.3:8883\nca_file: /etc/osbuild/ca.pem\nclaim: image-secret\n',
    });
    const config = await loadAgentConfig(hostPaths(root));
    expect(config.controller).toEqual({ value: 'mqtts://10.0.0.1:8883', source: '/proc/cmdline' });
    // The CA file and fingerprint come from one source together: osbuild.yaml set the trust.
    expect(config.trust).toEqual({
      value: { caFingerprint: 'ab:cd' },
      source: '/boot/firmware/osbuild.yaml',
    });
    expect(config.claim).toEqual({ value: { secret: 'image-secret' }, source: '/etc/osbuild/agent.yaml' });
  });

  it('does not touch the boot partition when the command line sets everything (netboot)', async () => {
    // On a netbooted node /boot/firmware is an automount with no device: every read waits out the
    // device timeout and fails. Unreadable here as a directory: reading it would throw.
    const root = await hostWith({
      cmdline: `${BASE_CMDLINE} osbuild.controller=mqtts://10.0.2.2:8883 osbuild.ca_fingerprint=ab:cd osbuild.claim_file=/etc/osbuild/claim`,
    });
    await mkdir(path.join(root, 'boot/firmware/osbuild.yaml'), { recursive: true });
    const config = await loadAgentConfig(hostPaths(root));
    expect(config.controller?.source).toBe('/proc/cmdline');
    expect(config.trust).toEqual({ value: { caFingerprint: 'ab:cd' }, source: '/proc/cmdline' });
    expect(config.claim?.source).toBe('/proc/cmdline');
    // Without the claim on the command line the boot partition is read, and its error surfaces.
    await writeFile(
      path.join(root, 'proc/cmdline'),
      `${BASE_CMDLINE} osbuild.controller=mqtts://10.0.2.2:8883 osbuild.ca_fingerprint=ab:cd\n`,
    );
    await expect(loadAgentConfig(hostPaths(root))).rejects.toThrow(/cannot read .*osbuild\.yaml: EISDIR/);
  });

  it('resolves configured paths below the host root; claim_file overrides a lower claim', async () => {
    const root = await hostWith({
      cmdline: `${BASE_CMDLINE} "osbuild.claim_file=/run/osbuild/claim" osbuild.ca_file=/run/ca.pem`,
      image: 'controller: mqtt://127.0.0.1:1883\nclaim: image-secret\n',
    });
    const config = await loadAgentConfig(hostPaths(root));
    expect(config.claim).toEqual({
      value: { file: path.join(root, 'run/osbuild/claim') },
      source: '/proc/cmdline',
    });
    expect(config.trust?.value).toEqual({ caFile: path.join(root, 'run/ca.pem') });
    expect(config.controller?.source).toBe('/etc/osbuild/agent.yaml');
  });

  it('an empty file counts as no settings', async () => {
    const root = await hostWith({ boot: '', image: 'controller: mqtt://127.0.0.1:1883\n' });
    expect((await loadAgentConfig(hostPaths(root))).controller?.source).toBe('/etc/osbuild/agent.yaml');
  });

  it('warns when a file holding the claim is readable by others', async () => {
    const root = await hostWith({ boot: 'claim: s3cret\n' });
    await chmod(path.join(root, 'boot/firmware/osbuild.yaml'), 0o644);
    const config = await loadAgentConfig(hostPaths(root));
    expect(config.warnings).toEqual([expect.stringContaining('/boot/firmware/osbuild.yaml holds the claim')]);
    expect(JSON.stringify(config.warnings)).not.toContain('s3cret');
  });
});
