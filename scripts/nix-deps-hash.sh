#!/usr/bin/env bash
# Keeps nix/npm-deps.hash current: the hash of the fixed-output derivation in nix/package.nix that
# holds every tarball package-lock.json pins (docs/nix.md, "Dependency hash").
#
#   scripts/nix-deps-hash.sh           recompute and write nix/npm-deps.hash
#   scripts/nix-deps-hash.sh --check   exit 1 when nix/npm-deps.hash does not match package-lock.json
#   scripts/nix-deps-hash.sh --print   print the hash only
# Options (after the mode):
#   --fresh          fetch as the fixed-output derivation does: an empty npm cache and no npm
#                    config files (only npm_config_registry and the proxy variables pass, as Nix's
#                    impureEnvVars let them); the CI replay uses this
#   --deps-dir DIR   keep the tarball directory in DIR (default: a temporary one)
#
# Needs node/npm and nix (any version with `nix hash path`, e.g. Debian's nix-bin). Without
# --fresh, tarballs already in npm's cache (after `npm ci`) are reused; the others (optional
# packages for other platforms) are fetched with `npm cache add`. Either way each tarball is
# checked against the lockfile's integrity, and the hash is the NAR hash Nix computes for the
# recursive fixed-output derivation.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
[ $# -gt 0 ] && shift
fresh=false
deps=""
while [ $# -gt 0 ]; do
  case "$1" in
    --fresh) fresh=true; shift ;;
    --deps-dir) deps=${2:?--deps-dir needs a directory}; shift 2 ;;
    *) echo "nix-deps-hash: unknown option $1" >&2; exit 2 ;;
  esac
done
hash_file=nix/npm-deps.hash
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
[ -n "$deps" ] || deps="$work/deps"
rm -rf "$deps"

if $fresh; then
  mkdir "$work/home"
  : >"$work/empty-user-npmrc"
  : >"$work/empty-global-npmrc"
  env_args=(
    "PATH=$PATH"
    "HOME=$work/home"
    "TMPDIR=$work"
    "npm_config_userconfig=$work/empty-user-npmrc"
    "npm_config_globalconfig=$work/empty-global-npmrc"
  )
  # What the derivation lets in (impureEnvVars) and its CA bundle (Debian's here).
  for name in npm_config_registry http_proxy https_proxy ftp_proxy all_proxy no_proxy HTTP_PROXY HTTPS_PROXY FTP_PROXY ALL_PROXY NO_PROXY; do
    [ -n "${!name-}" ] && env_args+=("$name=${!name}")
  done
  [ -f /etc/ssl/certs/ca-certificates.crt ] && env_args+=("NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt")
  env -i "${env_args[@]}" node nix/npm-deps.mjs fetch package-lock.json "$deps" --cache "$work/npm-cache"
else
  cache=$(npm config get cache 2>/dev/null)
  node nix/npm-deps.mjs fetch package-lock.json "$deps" --cache "$cache"
fi
# The same NAR hash Nix computes for a recursive fixed-output derivation (timestamps are not in it).
hash=$(nix --extra-experimental-features nix-command hash path --type sha256 --sri "$deps")

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
    echo "usage: $0 [--check | --print | --write] [--fresh] [--deps-dir DIR]" >&2
    exit 2
    ;;
esac
