#!/usr/bin/env bash
# Bridged traffic must traverse iptables and IPv4 forwarding must be on (kubeadm preflight).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
write_if_changed /etc/sysctl.d/99-kubernetes.conf 0644 <<'CONF'
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
CONF
if on_live_host; then sysctl --system >/dev/null || true; fi
