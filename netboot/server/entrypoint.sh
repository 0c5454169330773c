#!/bin/sh
# Runs dnsmasq and nfs-ganesha on the rendered netboot tree and restarts each when its input
# changes: dnsmasq when current/dnsmasq.conf differs, ganesha when the exports differ or
# <dir>/.nfs-restart is touched (netboot.yaml reload.nfs: [touch, <dir>/.nfs-restart], needed
# after every root reset because ganesha keeps serving the replaced directory).
set -eu
DIR="${OSBUILD_NETBOOT_DIR:-/srv/osbuild-netboot}"

until [ -f "$DIR/current/dnsmasq.conf" ]; do
  echo "netboot: waiting for osbuild netboot render to write $DIR/current"; sleep 5
done
stamp() { cat "$1" 2>/dev/null | cksum; ls -l --time-style=+%s "$2" 2>/dev/null | cksum; }

dnsmasq_pid=""; ganesha_pid=""
start_dnsmasq() { dnsmasq --keep-in-foreground --conf-file="$DIR/current/dnsmasq.conf" --log-facility=- & dnsmasq_pid=$!; }
start_ganesha() { ganesha.nfsd -F -L /dev/stdout -f "$DIR/current/ganesha.conf" & ganesha_pid=$!; }
stop() { [ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null || true; }
trap 'stop "$dnsmasq_pid"; stop "$ganesha_pid"; exit 0' TERM INT

start_dnsmasq; start_ganesha
d_seen="$(stamp "$DIR/current/dnsmasq.conf" /dev/null)"
g_seen="$(stamp "$DIR/current/ganesha-exports.conf" "$DIR/.nfs-restart")"
while sleep 2; do
  d_now="$(stamp "$DIR/current/dnsmasq.conf" /dev/null)"
  g_now="$(stamp "$DIR/current/ganesha-exports.conf" "$DIR/.nfs-restart")"
  if [ "$d_now" != "$d_seen" ] || ! kill -0 "$dnsmasq_pid" 2>/dev/null; then
    stop "$dnsmasq_pid"; start_dnsmasq; d_seen="$d_now"
  fi
  if [ "$g_now" != "$g_seen" ] || ! kill -0 "$ganesha_pid" 2>/dev/null; then
    stop "$ganesha_pid"; start_ganesha; g_seen="$g_now"
  fi
done
