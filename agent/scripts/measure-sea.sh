#!/usr/bin/env bash
# Numbers for docs/performance.md: size (raw, gzip) of both executables, and for the x64 one the
# time from exec to the first "connected" log line against a controller on 127.0.0.1 (median of
# RUNS) and the RSS after IDLE_SEC seconds connected. Starts its own controller, kills only the
# processes it started.
#   usage: agent/scripts/measure-sea.sh [runs (default 5)] [idle seconds (default 10)]
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${1:-5}
IDLE_SEC=${2:-10}
BIN=agent/dist/osbuild-agent-linux-x64
[ -x "$BIN" ] || { echo "measure-sea: $BIN missing: run npm run build:agent" >&2; exit 1; }

work=$(mktemp -d)
ctl_pid=""
agent_pid=""
cleanup() {
  [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null || true
  [ -n "$ctl_pid" ] && kill "$ctl_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

for arch in x64 arm64; do
  f=agent/dist/osbuild-agent-linux-$arch
  raw=$(stat -c %s "$f")
  gz=$(gzip -6 -c "$f" | wc -c)
  printf 'size %-5s raw %6.1f MiB  gzip %5.1f MiB\n' "$arch" "$(echo "$raw/1048576" | bc -l)" "$(echo "$gz/1048576" | bc -l)"
done

# Start the controller directly (not through npx) so $ctl_pid is the process itself.
node controller/bin/osbuild.js serve --listen mqtt://127.0.0.1:0 --http-listen http://127.0.0.1:0 \
  --data-dir "$work/ctl" >"$work/ctl.log" 2>&1 &
ctl_pid=$!
for _ in $(seq 100); do [ -s "$work/ctl/controller.json" ] && break; sleep 0.1; done
url=$(node -p "require('$work/ctl/controller.json').mqttUrl")

times=()
for i in $(seq "$RUNS"); do
  root="$work/host-$i"
  cp -a test/fixtures/hosts/pi5-a "$root"
  log="$work/agent-$i.log"
  start=$(date +%s%N)
  "$BIN" run --controller "$url" --claim-file "$work/ctl/claim.secret" --host-root "$root" \
    --state-dir "$root/state" 2>"$log" &
  agent_pid=$!
  until grep -q '"msg":"connected"' "$log"; do
    kill -0 "$agent_pid" 2>/dev/null || { echo "agent exited: $(cat "$log")" >&2; exit 1; }
    sleep 0.005
  done
  end=$(date +%s%N)
  if grep -v '^{' "$log" >&2; then echo "measure-sea: the agent wrote non-log lines (warnings?) above" >&2; exit 1; fi
  times+=($(((end - start) / 1000000)))
  if [ "$i" -lt "$RUNS" ]; then kill "$agent_pid"; wait "$agent_pid" 2>/dev/null || true; agent_pid=""; fi
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n | tr '\n' ' ')
median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((RUNS + 1) / 2))p")
echo "start-to-connected x64 (ms, $RUNS runs): $sorted(median $median)"

sleep "$IDLE_SEC"
rss=$(awk '/^VmRSS/ {print $2}' "/proc/$agent_pid/status")
echo "idle RSS x64 after ${IDLE_SEC}s connected: $((rss / 1024)) MiB"
