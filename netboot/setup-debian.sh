#!/bin/sh
# Set up a Debian host as the OSBuild netboot server: dnsmasq (proxy DHCP + TFTP, its own unit so
# a system dnsmasq or systemd-resolved is not disturbed), an NFS server (nfs-ganesha by default,
# or nfs-kernel-server), the netboot directory, and a unit that keeps the rendered files in step
# with nodes.yaml (`osbuild netboot render --watch`). Run as root from the repository:
#   netboot/setup-debian.sh [--nfs ganesha|kernel] [--dir /srv/osbuild-netboot]
#                           [--config /etc/osbuild/netboot.yaml] [--inventory /etc/osbuild/nodes.yaml]
#                           [--osbuild /usr/local/bin/osbuild] [--dry-run]
# --dry-run prints every command instead of running it. Safe to run again.
set -eu

NFS=ganesha
DIR=/srv/osbuild-netboot
CONFIG=/etc/osbuild/netboot.yaml
INVENTORY=/etc/osbuild/nodes.yaml
OSBUILD=/usr/local/bin/osbuild
DRY_RUN=0
HERE="$(cd "$(dirname "$0")" && pwd)"
SYSTEMD_DIR="${SYSTEMD_DIR:-/etc/systemd/system}"

usage() { sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; }
while [ $# -gt 0 ]; do
  case "$1" in
    --nfs) NFS="$2"; shift 2 ;;
    --dir) DIR="$2"; shift 2 ;;
    --config) CONFIG="$2"; shift 2 ;;
    --inventory) INVENTORY="$2"; shift 2 ;;
    --osbuild) OSBUILD="$2"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "setup-debian.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
case "$NFS" in ganesha|kernel) ;; *) echo "setup-debian.sh: --nfs must be ganesha or kernel" >&2; exit 2 ;; esac
case "$DIR" in /*) ;; *) echo "setup-debian.sh: --dir must be absolute" >&2; exit 2 ;; esac

run() {
  if [ "$DRY_RUN" = 1 ]; then echo "+ $*"; else "$@"; fi
}
# Write stdin to a file (printed, not written, in a dry run).
put() {
  if [ "$DRY_RUN" = 1 ]; then echo "+ write $1:"; sed 's/^/    /'; else cat > "$1"; fi
}

if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" -ne 0 ]; then
  echo "setup-debian.sh: run as root (or with --dry-run to see what it does)" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive
run apt-get update -qq
if [ "$NFS" = ganesha ]; then
  run apt-get install -y --no-install-recommends dnsmasq-base nfs-ganesha nfs-ganesha-vfs
  NFS_RELOAD='[systemctl, restart, nfs-ganesha]'
else
  run apt-get install -y --no-install-recommends dnsmasq-base nfs-kernel-server
  NFS_RELOAD='[exportfs, -ra]'
fi

# dnsmasq drops to `nobody`: the tree it serves must be world-traversable; roots stay root's.
run mkdir -p "$DIR/roots" "$DIR/images" "$(dirname "$CONFIG")"
run chmod 755 "$DIR"
run chmod 700 "$DIR/roots"

if [ ! -e "$CONFIG" ]; then
  sed -e "s#@DIR@#$DIR#g" -e "s#@NFS@#$NFS#g" -e "s#@NFS_RELOAD@#$NFS_RELOAD#g" "$HERE/netboot.yaml.in" | put "$CONFIG"
  echo "setup-debian.sh: wrote $CONFIG; edit server, network, interface and agent before nodes boot"
fi

for unit in osbuild-netboot-dnsmasq.service osbuild-netboot-render.service; do
  sed -e "s#@DIR@#$DIR#g" -e "s#@CONFIG@#$CONFIG#g" -e "s#@INVENTORY@#$INVENTORY#g" -e "s#@OSBUILD@#$OSBUILD#g" \
    "$HERE/server/$unit" | put "$SYSTEMD_DIR/$unit"
done

# The NFS server reads the rendered files through `current`, which render swaps atomically.
if [ "$NFS" = ganesha ]; then
  run mkdir -p /etc/ganesha
  run ln -sfn "$DIR/current/ganesha.conf" /etc/ganesha/ganesha.conf
else
  run mkdir -p /etc/exports.d
  run ln -sfn "$DIR/current/exports" /etc/exports.d/osbuild-netboot.exports
fi

run systemctl daemon-reload
run systemctl enable --now osbuild-netboot-render.service
run systemctl enable osbuild-netboot-dnsmasq.service
if [ "$NFS" = ganesha ]; then run systemctl enable nfs-ganesha; else run systemctl enable nfs-kernel-server; fi
cat <<EOT
setup-debian.sh: done. Next:
  1. edit $CONFIG (server address, network, interface, agent controller URL and CA fingerprint)
  2. $OSBUILD netboot import out/<version>/        # each image version, once
  3. mark boards in $INVENTORY with  netboot: {}  and their serial
  4. systemctl restart osbuild-netboot-render osbuild-netboot-dnsmasq $( [ "$NFS" = ganesha ] && echo nfs-ganesha || echo nfs-kernel-server)
See docs/netboot.md for the Pi 5 EEPROM settings.
EOT
