#!/usr/bin/env bash
# Kubernetes prerequisites layer: runs on the build host with the tree as $1 (lib/apply-layer.sh).
# Packages come from OSBUILD_LAYER_PACKAGES (the profile's kubernetes.packages); when
# OSBUILD_K8S_REPO is set (rpi5), kubeadm/kubelet/kubectl come from pkgs.k8s.io. Debian's own
# archive (qemu profile) has neither kubeadm nor kubelet, and its kubectl (kubernetes-client) is
# 1.20, too old to talk to any supported cluster, so the qemu image carries the container runtime
# and the kernel settings only.
set -euo pipefail
root=$1
here=$(dirname "$0")
in_root() { chroot "$root" env DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 "$@"; }

if [ -n "${OSBUILD_K8S_REPO:-}" ]; then
  # https://kubernetes.io/docs/setup/production-environment/tools/kubeadm/install-kubeadm/
  install -D -m 0644 "$OSBUILD_K8S_KEYRING" "$root/etc/apt/keyrings/kubernetes-apt-keyring.gpg"
  echo "deb [signed-by=/etc/apt/keyrings/kubernetes-apt-keyring.gpg] $OSBUILD_K8S_REPO /" \
    >"$root/etc/apt/sources.list.d/kubernetes.list"
fi

in_root apt-get update -qq
# shellcheck disable=SC2086 # one package per word
in_root apt-get install -y -qq --no-install-recommends ${OSBUILD_LAYER_PACKAGES} >/dev/null

# containerd with the systemd cgroup driver, which kubelet expects when systemd is init
# (kubernetes.io/docs/setup/production-environment/container-runtimes/#containerd-systemd).
mkdir -p "$root/etc/containerd"
in_root containerd config default >"$root/etc/containerd/config.toml"
sed -i 's/SystemdCgroup = false/SystemdCgroup = true/' "$root/etc/containerd/config.toml"
grep -q 'SystemdCgroup = true' "$root/etc/containerd/config.toml" \
  || { echo "kubernetes layer: SystemdCgroup not found in containerd's default config" >&2; exit 1; }

# Debian installs the CNI plugins in /usr/lib/cni; kubelet and containerd look in /opt/cni/bin.
if [ -d "$root/usr/lib/cni" ] && [ ! -e "$root/opt/cni/bin" ]; then
  mkdir -p "$root/opt/cni"
  ln -s /usr/lib/cni "$root/opt/cni/bin"
fi

install -D -m 0644 "$here/files/modules-load.conf" "$root/etc/modules-load.d/kubernetes.conf"
install -D -m 0644 "$here/files/sysctl.conf" "$root/etc/sysctl.d/90-kubernetes.conf"
# kubelet refuses to start with swap on (by default): no swap units at all.
for unit in dphys-swapfile.service rpi-swap.service; do
  if [ -e "$root/lib/systemd/system/$unit" ] || [ -e "$root/usr/lib/systemd/system/$unit" ]; then
    in_root systemctl disable "$unit" >/dev/null 2>&1 || true
    in_root systemctl mask "$unit" >/dev/null
  fi
done
in_root systemctl mask swap.target >/dev/null
# containerd and kubelet state cannot live on NFS (overlayfs refuses an NFS upper directory): on a
# netbooted node osbuild-local-state puts them on a partition labelled osbuild-state, else a tmpfs,
# before either starts. The unit is conditioned on root=/dev/nfs, so on disk it does nothing.
install -D -m 0755 "$here/files/osbuild-local-state.sh" "$root/usr/local/sbin/osbuild-local-state"
install -D -m 0644 "$here/files/osbuild-local-state.service" "$root/etc/systemd/system/osbuild-local-state.service"
install -D -m 0644 "$here/files/default-osbuild-local-state" "$root/etc/default/osbuild-local-state"
in_root systemctl enable osbuild-local-state.service >/dev/null
# The same nodes mount that root over NFSv4 (nfs-ganesha serves nothing else) from the initramfs:
# initramfs-tools' stock NFS script uses klibc's nfsmount, which speaks only v2/v3, so an override
# mounts v4 with `mount -t nfs4` (files/initramfs-scripts-nfs; docs/netboot.md). Installed here,
# not in the base layer, for the same reason as osbuild-local-state; the initramfs is built again.
install -D -m 0644 "$here/files/initramfs-scripts-nfs" "$root/etc/initramfs-tools/scripts/nfs"
install -D -m 0755 "$here/files/initramfs-hook-nfs4" "$root/etc/initramfs-tools/hooks/osbuild-nfs4"
if [ -n "${OSBUILD_K8S_REPO:-}" ]; then
  in_root apt-mark hold kubelet kubeadm kubectl >/dev/null
  in_root systemctl enable kubelet.service >/dev/null
fi
in_root systemctl enable containerd.service >/dev/null

# The base layer's initramfs was built before the NFS override existed: build it again, once, for
# every installed kernel (later kernel or initramfs-tools upgrades pick the override up from /etc).
in_root update-initramfs -u -k all

in_root apt-get clean
rm -rf "$root/var/lib/apt/lists"/* "$root/var/cache/apt"/*.bin "$root/var/cache/ldconfig/aux-cache"
