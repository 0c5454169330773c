#!/bin/sh
# Put /var/lib/containerd and /var/lib/kubelet on local storage when the root is NFS.
# containerd's overlayfs snapshotter cannot keep its layers on NFS (overlayfs refuses an NFS
# upper directory) and kubelet's volume handling wants a local filesystem, so a netboot node
# mounts, in order of preference:
#   1. a partition labelled `osbuild-state` (an NVMe or USB disk): containerd/ and kubelet/ on it;
#   2. a tmpfs of OSBUILD_STATE_TMPFS_SIZE (default 50% of RAM): lost at every reboot, and
#      counted against memory (images pulled again after each boot).
# On a node booted from its own disk nothing happens. Settings: /etc/default/osbuild-local-state.
# OSBUILD_LOCAL_STATE_ROOT prefixes every path (tests run this against a directory).
set -eu

ROOT="${OSBUILD_LOCAL_STATE_ROOT:-}"
if [ -r "$ROOT/etc/default/osbuild-local-state" ]; then . "$ROOT/etc/default/osbuild-local-state"; fi
LABEL="${OSBUILD_STATE_LABEL:-osbuild-state}"
TMPFS_SIZE="${OSBUILD_STATE_TMPFS_SIZE:-50%}"
STATE="$ROOT/var/lib/osbuild-local"

log() { echo "osbuild-local-state: $*"; }

fstype="$(findmnt -n -o FSTYPE --target "${ROOT:-/}" 2>/dev/null || true)"
case "$fstype" in
  nfs|nfs4) ;;
  *) log "root is ${fstype:-unknown}, not NFS: containerd and kubelet stay on it"; exit 0 ;;
esac

mkdir -p "$STATE"
if mountpoint -q "$STATE"; then
  log "$STATE already mounted"
else
  device="$(blkid -L "$LABEL" 2>/dev/null || true)"
  if [ -n "$device" ]; then
    log "mounting $device (LABEL=$LABEL) on $STATE"
    mount -o noatime "$device" "$STATE"
  else
    log "no partition labelled $LABEL: tmpfs of $TMPFS_SIZE on $STATE (contents lost at reboot)"
    mount -t tmpfs -o "size=$TMPFS_SIZE,mode=0711" osbuild-local-state "$STATE"
  fi
fi

for dir in containerd kubelet; do
  target="$ROOT/var/lib/$dir"
  mkdir -p "$STATE/$dir" "$target"
  if mountpoint -q "$target"; then
    log "$target already mounted"
  else
    mount --bind "$STATE/$dir" "$target"
    log "$target -> $STATE/$dir"
  fi
done
