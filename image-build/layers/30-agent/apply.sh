#!/usr/bin/env bash
# Agent layer: runs on the build host with the tree as $1 (lib/apply-layer.sh). Installs the arm64
# single executable, its systemd unit (enabled), the image's agent.yaml and image.json.
#   OSBUILD_AGENT_BINARY   agent/dist/osbuild-agent-linux-arm64
#   OSBUILD_AGENT_UNIT     agent/systemd/osbuild-agent.service
#   OSBUILD_IMAGE_JSON     image.json written by the driver (version, profile)
#   OSBUILD_AGENT_VERSION_OUT  where to write `osbuild-agent --version` run inside the image
set -euo pipefail
root=$1
here=$(dirname "$0")

install -D -m 0755 "$OSBUILD_AGENT_BINARY" "$root/usr/local/bin/osbuild-agent"
install -D -m 0644 "$OSBUILD_AGENT_UNIT" "$root/etc/systemd/system/osbuild-agent.service"
install -D -m 0644 "$here/files/boot-firmware.conf" "$root/etc/systemd/system/osbuild-agent.service.d/boot-firmware.conf"
chroot "$root" systemctl enable osbuild-agent.service >/dev/null
# 0600: a profile or a person may put the claim secret here (agent/src/config/config-schema.ts).
install -D -m 0600 "$here/files/agent.yaml" "$root/etc/osbuild/agent.yaml"
install -D -m 0644 "$OSBUILD_IMAGE_JSON" "$root/etc/osbuild/image.json"
# Proves the executable runs on the image's own libc (through qemu-user on an x86 build host).
chroot "$root" /usr/local/bin/osbuild-agent --version >"$OSBUILD_AGENT_VERSION_OUT"
