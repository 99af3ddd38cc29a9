#!/usr/bin/env bash
# Replays nix/package.nix's build outside Nix, as CI's stand-in for building it (nothing can be
# built with Nix here): the source through the same filter (nix/source.json, git-tracked files
# only, as a flake sees them), the tarball directory fetched as the fixed-output derivation does
# (empty npm cache, no npm config) and its NAR hash compared with nix/npm-deps.hash, then without
# network (`unshare -n`, loopback only) the package's phases (./replay-phases.sh: the npm config
# hook with its offline `npm ci`, `npm run build`, nix/check-phase.sh, buildNpmPackage's install
# steps, nix/clean-output.sh); then the install layout and the installed CLI.
#
#   nix/tests/replay-build.sh
#
# Needs node/npm, nix (`nix hash path`), util-linux's unshare, iproute2's ip, and the network
# for the fetch only. A file the tests read but the filter leaves out, a stale hash, a test that
# needs the network or a missing runtime dependency fails it.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cd "$repo"

started=$(date +%s)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
step() { printf '\n== replay: %s (%ss)\n' "$*" "$(($(date +%s) - started))"; }

step "1. source: git-tracked files under the entries of nix/source.json"
mapfile -t wanted < <(node -e 'for (const e of JSON.parse(require("fs").readFileSync("nix/source.json", "utf8")).include) console.log(e)')
src="$work/source"
mkdir "$src"
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  # Tracked files that still exist (a deletion not yet committed is not in a flake's source either).
  git ls-files -z -- "${wanted[@]}" | xargs -0 -r sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$src"
else
  for entry in "${wanted[@]}"; do [ -e "$entry" ] && cp -a "$entry" "$src/"; done
fi
echo "$(find "$src" -type f | wc -l) files; top level: $(ls -A "$src" | tr '\n' ' ')"

step "2. npmDeps: the tarball directory from an empty cache and config, its hash against nix/npm-deps.hash"
npm_deps="$work/store/npm-deps"
mkdir -p "$work/store"
scripts/nix-deps-hash.sh --check --fresh --deps-dir "$npm_deps"
chmod -R a-w "$npm_deps" # read-only, as in the store

step "3. without network: npm config hook, build, check phase, install (unshare -n)"
out="$work/store/claude-api-proxy"
build="$work/build"
mkdir -p "$build"
cp -a "$src/." "$build/"
chmod -R u+w "$build"
unshare_flags=(-n)
[ "$(id -u)" = 0 ] || unshare_flags=(-rn)
mkdir -p "$work/home" "$work/tmp"
: >"$work/global-npmrc"
(cd "$build" && env -i PATH="$PATH" HOME="$work/home" TMPDIR="$work/tmp" \
  npm_config_userconfig="$work/home/.npmrc" npm_config_globalconfig="$work/global-npmrc" \
  npmDeps="$npm_deps" out="$out" repo="$repo" \
  unshare "${unshare_flags[@]}" bash "$repo/nix/tests/replay-phases.sh")

step "4. install layout"
app="$out/lib/node_modules/claude-api-proxy"
layout_ok=true
check() { if eval "$1"; then echo "ok: $2"; else echo "FAIL: $2"; layout_ok=false; fi; }
check '[ -x "$out/bin/claude-api-proxy" ]' "bin/claude-api-proxy"
check '[ -f "$app/dist/bundle/cli.js" ]' "lib/node_modules/claude-api-proxy/dist/bundle/cli.js"
check '[ -f "$app/package.json" ]' "package.json next to the bundle (the CLI reads its version)"
check '[ -d "$app/node_modules/pino" ] && [ -d "$app/node_modules/uplot" ]' "runtime dependencies kept"
check '[ ! -e "$app/node_modules/vitest" ] && [ ! -e "$app/node_modules/typescript" ]' "dev dependencies pruned"
check '[ ! -e "$app/node_modules/.package-lock.json" ] && [ ! -e "$app/node_modules/.bin" ]' "npm bookkeeping removed"
check '[ ! -e "$app/src" ] && [ ! -e "$app/test" ]' "no sources or tests installed"
check '! grep -rqF "$npm_deps" "$out"' "no reference to npmDeps (disallowedReferences)"
$layout_ok || exit 1
echo "installed: $(du -sh "$out" | cut -f1), $(find "$out" -type f | wc -l) files"

step "5. the installed CLI, without network"
version=$(node -p 'require("./package.json").version')
printf 'listen:\n  port: 8094\nlocal:\n  kind: openai\n  url: http://127.0.0.1:8080\n' >"$work/config.yaml"
env -i PATH="$PATH" HOME="$work/home" unshare "${unshare_flags[@]}" sh -c '
  set -eu
  got=$("$1/bin/claude-api-proxy" --version)
  echo "claude-api-proxy --version: $got"
  case "$got" in *"$2"*) ;; *) echo "replay: expected version $2" >&2; exit 1 ;; esac
  "$1/bin/claude-api-proxy" check-config "$3"
  printf "routing:\n  simpleQueryTokenz: 5\n" >"$3.bad"
  if "$1/bin/claude-api-proxy" check-config "$3.bad" 2>&1; then echo "replay: check-config accepted a bad file" >&2; exit 1; fi
  echo "check-config rejects a bad file: ok"
' sh "$out" "$version" "$work/config.yaml"

step "done: the package build replays green"
