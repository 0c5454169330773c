#!/usr/bin/env bash
# Kubernetes networking needs overlay and br_netfilter loaded at every boot (kubeadm preflight).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
printf 'overlay\nbr_netfilter\n' | write_if_changed /etc/modules-load.d/k8s.conf 0644
if on_live_host; then modprobe overlay || true; modprobe br_netfilter || true; fi
