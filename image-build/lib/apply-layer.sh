#!/usr/bin/env bash
# apply-layer.sh PREV_TAR OUT_TAR SCRIPT
# Applies one image layer on top of the previous layer's tarball: unpack it, run SCRIPT with the
# tree as $1 inside a private mount namespace (proc, sys and dev are mounted there so that
# `chroot "$1" apt-get ...` works, and vanish with the namespace), then pack the tree again.
# Runs as root (ownership and device nodes must survive). Arm64 binaries run through qemu-user
# binfmt on an x86 host (the caller checks binfmt first).
set -euo pipefail
prev=$1 out=$2 script=$3
work=$(mktemp -d "${OSBUILD_WORK_DIR:-/var/tmp}/osbuild-layer.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir "$root"
tar -xpf "$prev" -C "$root" --numeric-owner

unshare --mount --propagation private -- bash -euo pipefail -c '
  root=$1 script=$2
  mount -t proc proc "$root/proc"
  mount --rbind /sys "$root/sys"
  mount --rbind /dev "$root/dev"
  had_resolv=no
  if [ -e "$root/etc/resolv.conf" ] || [ -L "$root/etc/resolv.conf" ]; then had_resolv=yes; mv "$root/etc/resolv.conf" "$root/etc/resolv.conf.osbuild"; fi
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  # No service starts inside the build chroot (invoke-rc.d honours policy-rc.d).
  printf "#!/bin/sh\nexit 101\n" >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  status=0
  "$script" "$root" || status=$?
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
  if [ "$had_resolv" = yes ]; then mv "$root/etc/resolv.conf.osbuild" "$root/etc/resolv.conf"; fi
  exit "$status"
' apply-layer "$root" "$script"

# The files mmdebstrap removes from the base for reproducibility (its cleanup/reproducible): apt
# and dpkg logs carry the build's date and time, so two builds of a layer would otherwise differ.
for f in var/log/dpkg.log var/log/apt/history.log var/log/apt/term.log var/log/alternatives.log \
  var/log/apt/eipp.log.xz var/cache/ldconfig/aux-cache var/lib/dbus/machine-id; do
  rm -f "${root:?}/$f"
done

tar --numeric-owner --sort=name -C "$root" -cf "$out.partial" .
mv "$out.partial" "$out"
