// netboot/setup-debian.sh as a real shell script in --dry-run: what it would install and link for
// each NFS server, its argument checks, and that the netboot.yaml it writes is one the CLI accepts
// once the operator fills in the CA fingerprint.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseNetbootConfig } from '../../src/netboot/config.js';

const run = promisify(execFile);
const SCRIPT = fileURLToPath(new URL('../../../netboot/setup-debian.sh', import.meta.url));

let work: string;
beforeEach(async () => {
  work = await mkdtemp(join(tmpdir(), 'osbuild-setup-'));
});
afterEach(async () => {
  await rm(work, { recursive: true, force: true });
});

const dryRun = (...args: string[]) =>
  run('sh', [SCRIPT, '--dry-run', '--config', join(work, 'etc/netboot.yaml'), ...args]);

describe('netboot/setup-debian.sh --dry-run', () => {
  it('ganesha: installs dnsmasq-base and nfs-ganesha, links ganesha.conf to the rendered one', async () => {
    const { stdout } = await dryRun('--dir', '/srv/nb');
    expect(stdout).toContain(
      '+ apt-get install -y --no-install-recommends dnsmasq-base nfs-ganesha nfs-ganesha-vfs',
    );
    expect(stdout).toContain('+ ln -sfn /srv/nb/current/ganesha.conf /etc/ganesha/ganesha.conf');
    expect(stdout).toContain(
      'ExecStart=/usr/sbin/dnsmasq --keep-in-foreground --conf-file=/srv/nb/current/dnsmasq.conf',
    );
    expect(stdout).toContain('+ systemctl enable --now osbuild-netboot-render.service');
    expect(stdout).toContain('      nfs: [systemctl, restart, nfs-ganesha]');
  });

  it('kernel: installs nfs-kernel-server and links the rendered exports into /etc/exports.d', async () => {
    const { stdout } = await dryRun('--nfs', 'kernel', '--dir', '/srv/nb');
    expect(stdout).toContain('nfs-kernel-server');
    expect(stdout).not.toContain('nfs-ganesha-vfs');
    expect(stdout).toContain('+ ln -sfn /srv/nb/current/exports /etc/exports.d/osbuild-netboot.exports');
    expect(stdout).toContain('      nfs: [exportfs, -ra]');
  });

  it('the netboot.yaml it writes validates once the fingerprint is filled in, and not before', async () => {
    const { stdout } = await dryRun('--dir', '/srv/nb');
    const yaml = stdout
      .split('\n')
      .filter((l) => l.startsWith('    '))
      .join('\n')
      .split('[Unit]')[0] as string;
    const text = yaml.replace(/^ {4}/gm, '').replace(/^# dnsmasq for OSBuild.*$/m, '');
    expect(() => parseNetbootConfig(text, 'netboot.yaml')).toThrow(/agent\.caFingerprint/);
    const filled = parseNetbootConfig(text.replace('REPLACE-WITH-osbuild-ca-show', 'AB:CD'), 'netboot.yaml');
    expect(filled).toMatchObject({
      dir: '/srv/nb',
      nfsServer: 'ganesha',
      reload: { nfs: ['systemctl', 'restart', 'nfs-ganesha'] },
    });
  });

  it('refuses bad arguments with exit 2', async () => {
    await expect(dryRun('--nfs', 'samba')).rejects.toMatchObject({ code: 2 });
    await expect(dryRun('--dir', 'relative/dir')).rejects.toMatchObject({ code: 2 });
    await expect(dryRun('--bogus')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown argument --bogus'),
    });
  });
});
