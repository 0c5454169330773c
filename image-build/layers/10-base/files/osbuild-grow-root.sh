#!/bin/sh
# Grow the root partition and its ext4 file system to the end of the disk, once, on first boot.
# disk.img is ~1.7 GiB so it flashes fast; the NVMe drive or SD card it lands on is larger, and
# without this the node would run out of space for container images. Works on the mounted root:
# sfdisk rewrites the partition's size in the MBR, partx tells the kernel (BLKPG, no re-read of a
# busy disk), resize2fs grows ext4 online. A root that is not an ext4 partition (NFS) is left alone.
# OSBUILD_GROW_ROOT_STAMP: where "done" is recorded (the unit skips the service once it exists).
set -eu
STAMP="${OSBUILD_GROW_ROOT_STAMP:-/var/lib/osbuild-grow-root/done}"
log() { echo "osbuild-grow-root: $*"; }

fstype="$(findmnt -n -o FSTYPE /)"
if [ "$fstype" != ext4 ]; then
  log "root is $fstype, not an ext4 partition: nothing to grow"
  exit 0
fi
# The root's device number, not its name: with root=PARTUUID=... and no initramfs the kernel
# mounts it as /dev/root, which names nothing in /sys.
sys="$(readlink -f "/sys/dev/block/$(mountpoint -d /)")"
if [ ! -e "$sys/partition" ]; then
  log "root $(basename "$sys") is not a partition: nothing to grow"
  exit 0
fi
part="$(cat "$sys/partition")"
disk="/dev/$(basename "$(dirname "$sys")")"
dev="/dev/$(basename "$sys")"

before="$(cat "$sys/size")"
# ", +" keeps the start and takes all free space after the partition; with none it changes nothing.
echo ', +' | sfdisk --quiet --no-reread --no-tell-kernel -N "$part" "$disk"
partx -u -n "$part" "$disk"
after="$(cat "$sys/size")"
if [ "$after" -gt "$before" ]; then
  log "$dev grown from $((before / 2048)) to $((after / 2048)) MiB"
else
  log "$dev already fills $disk ($((after / 2048)) MiB)"
fi
resize2fs "$dev"
mkdir -p "$(dirname "$STAMP")"
date -u +%Y-%m-%dT%H:%M:%SZ >"$STAMP"
