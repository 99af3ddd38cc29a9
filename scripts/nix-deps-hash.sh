#!/usr/bin/env bash
# Keeps nix/npm-deps.hash current: the hash of the fixed-output derivation in nix/package.nix that
# holds every tarball package-lock.json pins (see docs/nix.md, "Dependency hash").
#
#   scripts/nix-deps-hash.sh           recompute and write nix/npm-deps.hash
#   scripts/nix-deps-hash.sh --check   exit 1 when nix/npm-deps.hash does not match package-lock.json
#   scripts/nix-deps-hash.sh --print   print the hash only
#
# Needs node/npm and nix (any version with `nix hash path`, e.g. Debian's nix-bin). Tarballs already
# in npm's cache (after `npm ci`) are reused; the others (optional packages for other platforms)
# are fetched with `npm cache add`, each checked against the lockfile's integrity.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
hash_file=nix/npm-deps.hash
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cache=$(npm config get cache 2>/dev/null)
node nix/npm-deps.mjs fetch package-lock.json "$work/deps" --cache "$cache"
# The same NAR hash Nix computes for a recursive fixed-output derivation (timestamps are not in it).
hash=$(nix --extra-experimental-features nix-command hash path --type sha256 --sri "$work/deps")

case "$mode" in
  --check)
    stored=""
    [ -f "$hash_file" ] && stored=$(tr -d '[:space:]' <"$hash_file")
    if [ "$stored" != "$hash" ]; then
      echo "nix-deps-hash: $hash_file is stale: it says '${stored:-nothing}', package-lock.json needs $hash" >&2
      echo "nix-deps-hash: run scripts/nix-deps-hash.sh and commit $hash_file" >&2
      exit 1
    fi
    echo "nix-deps-hash: $hash_file is current ($hash)"
    ;;
  --print) echo "$hash" ;;
  write | --write)
    echo "$hash" >"$hash_file"
    echo "nix-deps-hash: wrote $hash to $hash_file"
    ;;
  *)
    echo "usage: $0 [--check | --print | --write]" >&2
    exit 2
    ;;
esac
