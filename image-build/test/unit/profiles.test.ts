import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePackageList } from '../../src/layer-key.js';
import { IMAGE_BUILD_DIR, PROFILE_NAMES, profileByName, profiles } from '../../src/profiles.js';

const all = profiles('/keyrings');

async function packages(profile: string, file: string): Promise<string[]> {
  return parsePackageList(await readFile(path.join(IMAGE_BUILD_DIR, 'profiles', profile, file), 'utf8'));
}

describe('profiles', () => {
  it('both build base -> kubernetes -> agent, from folders that exist', async () => {
    for (const name of PROFILE_NAMES) {
      expect(all[name].layers.map((l) => l.name)).toEqual(['base', 'kubernetes', 'agent']);
      for (const layer of all[name].layers) {
        const script = layer.name === 'base' ? 'customize.sh' : 'apply.sh';
        await expect(readFile(path.join(IMAGE_BUILD_DIR, layer.dir, script), 'utf8')).resolves.toContain(
          'set -euo',
        );
        if (layer.packages) expect((await packages(name, layer.packages)).length).toBeGreaterThan(0);
      }
    }
  });

  it('qemu: Debian arm64 kernel, the virtio boot path in the initramfs, no kubeadm/kubelet', async () => {
    const q = all.qemu;
    expect(q.sources.every((s) => s.includes('deb.debian.org'))).toBe(true);
    expect(q.initramfs.policy).toBe('list');
    expect(q.initramfs.modules).toEqual(
      expect.arrayContaining(['virtio_pci', 'virtio_blk', 'virtio_net', 'ext4']),
    );
    expect(await packages('qemu', 'base.packages')).toContain('linux-image-arm64');
    const k8s = await packages('qemu', 'kubernetes.packages');
    expect(k8s).toEqual(expect.arrayContaining(['containerd', 'containernetworking-plugins']));
    expect(k8s).not.toContain('kubelet');
    expect(q.kubernetesRepo).toBeUndefined();
  });

  it('rpi5: Raspberry Pi OS archive with its keyring, the 2712 kernel, Kubernetes from pkgs.k8s.io', async () => {
    const r = all.rpi5;
    expect(r.sources.some((s) => s.includes('archive.raspberrypi.com/debian bookworm main'))).toBe(true);
    expect(r.sources.find((s) => s.includes('raspberrypi.com'))).toContain(
      'signed-by=/keyrings/raspberrypi-archive-keyring.gpg',
    );
    expect(await packages('rpi5', 'base.packages')).toEqual(
      expect.arrayContaining(['linux-image-rpi-2712', 'raspi-firmware']),
    );
    expect(await packages('rpi5', 'kubernetes.packages')).toEqual(
      expect.arrayContaining(['containerd', 'kubelet', 'kubeadm', 'kubectl']),
    );
    expect(r.kubernetesRepo?.url).toMatch(/^https:\/\/pkgs\.k8s\.io\/core:\/stable:\/v1\.\d+\/deb\/$/);
  });

  it('fixed, distinct disk identifiers per profile (root=PARTUUID is known before flashing)', () => {
    for (const name of PROFILE_NAMES) {
      expect(all[name].diskId).toMatch(/^[0-9a-f]{8}$/);
      expect(all[name].bootVolumeId).toMatch(/^[0-9a-f]{8}$/);
      expect(all[name].rootUuid).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(all.qemu.diskId).not.toBe(all.rpi5.diskId);
  });

  it('an unknown profile is a clear error', () => {
    expect(() => profileByName('pi4', '/k')).toThrow('unknown profile "pi4" (known: qemu, rpi5)');
  });
});
