#!/usr/bin/env bash
# Base layer, mmdebstrap --setup-hook: runs on the build host before any package is unpacked, with
# the new root as $1. Only configuration that must exist before dpkg runs belongs here.
set -euo pipefail
root=$1

# initramfs-tools defaults to MODULES=most, which under qemu-user takes ~7 min per kernel; the
# image only needs the drivers of its boot path (OSBUILD_INITRAMFS_MODULES, from the profile).
# conf.d is read after initramfs.conf, and modules.d is not a conffile, so dpkg never asks.
# /boot/firmware exists before the kernel is installed: raspi-firmware's kernel hook copies into it.
mkdir -p "$root/boot/firmware"
mkdir -p "$root/etc/initramfs-tools/conf.d" "$root/usr/share/initramfs-tools/modules.d"
printf 'MODULES=%s\n' "${OSBUILD_INITRAMFS_POLICY:-list}" >"$root/etc/initramfs-tools/conf.d/osbuild.conf"
printf '%s\n' ${OSBUILD_INITRAMFS_MODULES:-} >"$root/usr/share/initramfs-tools/modules.d/osbuild"
