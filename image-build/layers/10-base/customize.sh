#!/usr/bin/env bash
# Base layer, mmdebstrap --customize-hook: runs after all packages are installed, with the new root
# as $1 (proc/sys/dev still mounted by mmdebstrap, so `chroot "$1"` works).
set -euo pipefail
root=$1
here=$(dirname "$0")

echo "${OSBUILD_DEFAULT_HOSTNAME:-osbuild-node}" >"$root/etc/hostname"
# mmdebstrap leaves it 0755; it is data.
chmod 0644 "$root/etc/hostname"
printf '127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"

# The boot partition (FAT, partition 1 of disk.img) at /boot/firmware, where a person edits
# osbuild.yaml after flashing. nofail: a netboot node (rootfs.tar.gz over NFS) has no such
# partition. fmask/dmask 0077: FAT has no modes, and osbuild.yaml may hold the claim secret.
# x-systemd.automount: the partition is mounted on first access and a failed attempt is retried on
# the next one. A plain mount is tried once at boot: under QEMU's emulation the by-partuuid link
# appeared only after ~68 s (idle) to minutes (loaded), the mount job gave up, nothing retried it,
# and the agent (re-read on every restart) never saw osbuild.yaml. A netbooted root gets its own
# fstab (netboot/).
mkdir -p "$root/boot/firmware"
cat >"$root/etc/fstab" <<FSTAB
# Written by image-build (layers/10-base). The root file system comes from the kernel command line
# (root=PARTUUID=... on disk, root=/dev/nfs when netbooted), so it has no line here.
PARTUUID=${OSBUILD_DISK_ID}-01  /boot/firmware  vfat  defaults,nofail,x-systemd.automount,x-systemd.device-timeout=90s,fmask=0077,dmask=0077  0  2
FSTAB

# DHCP on the wired interface with systemd-networkd; the agent's configure-network step writes
# its own static unit next to this one (agent/src/steps/network-config.ts) when the inventory
# gives an address. Only wired links, so wait-online does not wait for Wi-Fi.
install -D -m 0644 "$here/files/20-wired.network" "$root/etc/systemd/network/20-wired.network"
chroot "$root" systemctl enable systemd-networkd.service systemd-networkd-wait-online.service >/dev/null
if [ -e "$root/lib/systemd/system/systemd-timesyncd.service" ]; then
  chroot "$root" systemctl enable systemd-timesyncd.service >/dev/null
fi

# First boot grows the root partition and file system to the end of the disk (disk.img is small).
install -D -m 0755 "$here/files/osbuild-grow-root.sh" "$root/usr/local/sbin/osbuild-grow-root"
install -D -m 0644 "$here/files/osbuild-grow-root.service" "$root/etc/systemd/system/osbuild-grow-root.service"
chroot "$root" systemctl enable osbuild-grow-root.service >/dev/null

# The initramfs, once (essential.sh diverted update-initramfs while packages were installed). With a
# kernel hook of the profile's firmware package (raspi-firmware) it is copied to /boot/firmware.
rm -f "$root/usr/sbin/update-initramfs"
chroot "$root" dpkg-divert --quiet --local --rename --remove /usr/sbin/update-initramfs
chroot "$root" update-initramfs -c -k all

# Files that differ on every build and are made at first boot anyway.
: >"$root/etc/machine-id"
rm -f "$root/var/lib/dbus/machine-id" "$root/var/cache/ldconfig/aux-cache"
rm -rf "$root/var/log/journal"/* "$root/var/cache/apt"/*.bin
