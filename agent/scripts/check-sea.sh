#!/usr/bin/env bash
# Smoke test of the single executables built by `npm run build:agent`: --version (stdout only, no
# start-up warning on stderr) and `identity` on a fixture host. The arm64 binary runs under
# qemu-user when qemu-aarch64-static is installed (Debian: qemu-user-static, libc6-arm64-cross,
# libstdc++6-arm64-cross), and must print the same identity as the x64 one.
set -euo pipefail
cd "$(dirname "$0")/../.."

DIST=agent/dist
FIXTURE=test/fixtures/hosts/pi5-a
EXPECTED_NODE_ID='"nodeId": "pi-10000000000000a1"'
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "check-sea: $*" >&2; exit 1; }

# check NAME CMD... : runs --version and identity through CMD, leaves identity in $tmp/NAME.json
check() {
  local name=$1; shift
  "$@" --version >"$tmp/$name.version" 2>"$tmp/$name.err" || fail "$name --version failed: $(cat "$tmp/$name.err")"
  [ ! -s "$tmp/$name.err" ] || fail "$name --version wrote to stderr: $(cat "$tmp/$name.err")"
  grep -Eq '^osbuild-agent [0-9]+\.[0-9]+\.[0-9]+ \(commit [^,]+, node v[0-9.]+\)$' "$tmp/$name.version" \
    || fail "$name --version: unexpected output: $(cat "$tmp/$name.version")"
  "$@" identity --host-root "$FIXTURE" >"$tmp/$name.json" 2>"$tmp/$name.err" \
    || fail "$name identity failed: $(cat "$tmp/$name.err")"
  [ ! -s "$tmp/$name.err" ] || fail "$name identity wrote to stderr: $(cat "$tmp/$name.err")"
  grep -q "$EXPECTED_NODE_ID" "$tmp/$name.json" || fail "$name identity: nodeId missing: $(cat "$tmp/$name.json")"
  echo "check-sea: $name ok: $(cat "$tmp/$name.version")"
}

[ -x "$DIST/osbuild-agent-linux-x64" ] || fail "$DIST/osbuild-agent-linux-x64 missing: run npm run build:agent"
[ -x "$DIST/osbuild-agent-linux-arm64" ] || fail "$DIST/osbuild-agent-linux-arm64 missing: run npm run build:agent"

check x64 "$DIST/osbuild-agent-linux-x64"

if command -v qemu-aarch64-static >/dev/null && [ -d /usr/aarch64-linux-gnu ]; then
  check arm64 qemu-aarch64-static -L /usr/aarch64-linux-gnu "$DIST/osbuild-agent-linux-arm64"
  cmp -s "$tmp/x64.json" "$tmp/arm64.json" || fail "arm64 identity differs from x64: $(diff "$tmp/x64.json" "$tmp/arm64.json")"
  cmp -s <(sed 's/^osbuild-agent //' "$tmp/x64.version") <(sed 's/^osbuild-agent //' "$tmp/arm64.version") \
    || fail "arm64 --version differs from x64"
else
  echo "check-sea: arm64 skipped (qemu-aarch64-static or /usr/aarch64-linux-gnu missing)"
fi
