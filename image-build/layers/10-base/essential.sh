#!/usr/bin/env bash
# Base layer, mmdebstrap --essential-hook: runs after the Essential packages are installed and
# before the profile's packages, with the new root as $1.
set -euo pipefail
root=$1

# One initramfs instead of two: the kernel's postinst creates it, then initramfs-tools' trigger
# rebuilds it after the other packages are configured, and each run is slow under qemu-user.
# update-initramfs is diverted to a no-op while packages install; customize.sh restores it and
# builds the initramfs once, when everything it may include is in place.
chroot "$root" dpkg-divert --quiet --local --rename --add /usr/sbin/update-initramfs
printf '#!/bin/sh\n# osbuild image build: the initramfs is made once, in customize.sh.\nexit 0\n' \
  >"$root/usr/sbin/update-initramfs"
chmod 0755 "$root/usr/sbin/update-initramfs"
