#!/usr/bin/env bash
# Record what this node was provisioned as, for humans debugging on the node.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
write_if_changed /etc/osbuild/node.env 0644 <<ENV
OSBUILD_HOSTNAME=${OSBUILD_HOSTNAME:-}
OSBUILD_ROLE=${OSBUILD_ROLE:-}
OSBUILD_CLUSTER_NAME=${OSBUILD_CLUSTER_NAME:-}
OSBUILD_NODE_LABELS=${OSBUILD_NODE_LABELS:-}
ENV
