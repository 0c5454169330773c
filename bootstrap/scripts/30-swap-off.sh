#!/usr/bin/env bash
# The kubelet refuses to start with swap on by default; Raspberry Pi OS enables dphys-swapfile.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
printf '# swap disabled by osbuild for the kubelet\nCONF_SWAPSIZE=0\n' | write_if_changed /etc/dphys-swapfile 0644
if on_live_host; then swapoff -a || true; systemctl disable --now dphys-swapfile 2>/dev/null || true; fi
