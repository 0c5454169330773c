# Helpers sourced by the numbered scripts. host_path maps a node path into OSBUILD_HOST_ROOT;
# on_live_host guards commands that act on the running machine rather than on files.
host_path() { local root="${OSBUILD_HOST_ROOT:-/}"; printf '%s%s' "${root%/}" "$1"; }
on_live_host() { [ "${OSBUILD_HOST_ROOT:-/}" = "/" ]; }
# write_if_changed PATH MODE: stdin becomes the file's content unless it is already identical.
write_if_changed() {
  local target; target="$(host_path "$1")"
  local tmp; tmp="$(mktemp)"
  cat >"$tmp"
  mkdir -p "$(dirname "$target")"
  if [ -f "$target" ] && cmp -s "$tmp" "$target"; then rm -f "$tmp"; echo "unchanged $1"; return 0; fi
  install -m "$2" "$tmp" "$target"; rm -f "$tmp"; echo "wrote $1"
}
