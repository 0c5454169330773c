#!/usr/bin/env bash
# Entry point the controller's plan runs on every node (run-script setup.sh), from a pinned commit.
# It runs scripts/NN-*.sh in order. Every script must be idempotent: a step is retried after a
# crash or reboot, so running it twice must leave the node as running it once would.
#
# Environment (set by the agent and the controller's plan):
#   OSBUILD_HOST_ROOT   root of the node's filesystem ("/" in production; a fixture dir in tests).
#                       Every path a script changes is "$OSBUILD_HOST_ROOT/...", and commands that
#                       act on the running machine run only when it is "/".
#   OSBUILD_HOSTNAME, OSBUILD_ROLE (control-plane|worker), OSBUILD_IP, OSBUILD_CLUSTER_NAME,
#   OSBUILD_CONTROL_PLANE_ENDPOINT, OSBUILD_NODE_LABELS, OSBUILD_NODE_TAINTS, OSBUILD_NODE_ID
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export OSBUILD_HOST_ROOT="${OSBUILD_HOST_ROOT:-/}"
echo "osbuild bootstrap: ${OSBUILD_HOSTNAME:-?} role=${OSBUILD_ROLE:-?} root=${OSBUILD_HOST_ROOT}"
for script in "$here"/scripts/[0-9][0-9]-*.sh; do
  echo "==> $(basename "$script")"
  bash "$script"
done
echo "osbuild bootstrap: done"
