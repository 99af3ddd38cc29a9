#!/usr/bin/env bash
# The phases of nix/package.nix, run by nix/tests/replay-build.sh inside `unshare -n` in the
# build directory: the same npm config hook, build command, check phase and output cleanup
# the package uses, and buildNpmPackage's install steps. Environment: npmDeps (the tarball
# directory), out (the install prefix), repo (this repository, for the hook and scripts).
set -euo pipefail
: "${npmDeps:?}" "${out:?}" "${repo:?}"

ip link set lo up
if node -e 'require("dns").lookup("example.com", (e) => process.exit(e ? 1 : 0))'; then
  echo "replay: the network is reachable, but the build must run without it" >&2
  exit 1
fi

# What buildNpmPackage hands its hooks (npmInstallFlags = [ ], npmFlags = [ ], …).
npmInstallFlags="" npmFlags="" npmPackFlags=""
npmInstallFlagsArray=() npmFlagsArray=() npmPackFlagsArray=()
# Debian's node is found through /usr/bin/env: there is nothing to patch here.
patchShebangs() { :; }
postPatchHooks=()
# shellcheck disable=SC1090
source <(sed "s|@npmDepsScript@|$repo/nix/npm-deps.mjs|" "$repo/nix/npm-config-hook.sh")
for hook in "${postPatchHooks[@]}"; do "$hook"; done

echo "-- buildPhase (buildNpmPackage's npmBuildHook): npm run build"
npm run build

echo "-- checkPhase: nix/check-phase.sh"
bash "$repo/nix/check-phase.sh"

echo "-- installPhase (buildNpmPackage's npmInstallHook, its steps)"
name=$(node -p 'require("./package.json").name')
packageOut="$out/lib/node_modules/$name"
npm config delete cache
npm pack --json --dry-run |
  node -e 'for (const f of JSON.parse(require("fs").readFileSync(0, "utf8"))[0].files) console.log(f.path)' |
  while IFS= read -r file; do
    mkdir -p "$packageOut/$(dirname "$file")"
    cp "$file" "$packageOut/$(dirname "$file")"
  done
cp -r node_modules "$packageOut/node_modules"
# makeWrapper's equivalent: node running the package's `bin`.
node -e 'const p = require("./package.json"); const b = typeof p.bin === "string" ? { [p.name]: p.bin } : p.bin; for (const [k, v] of Object.entries(b)) console.log(`${k} ${v}`)' |
  while read -r bin path; do
    mkdir -p "$out/bin"
    printf '#!/bin/sh\nexec %s %s "$@"\n' "$(command -v node)" "$packageOut/$path" >"$out/bin/$bin"
    chmod +x "$out/bin/$bin"
  done

echo "-- fixupPhase (buildNpmPackage's npmFixupHook): prune the installed node_modules"
# Older buildNpmPackage prunes in the build directory before copying; the result is the same.
(cd "$packageOut" && npm prune --omit=dev --no-save && find node_modules -maxdepth 1 -type d -empty -delete)

echo "-- postFixup: nix/clean-output.sh"
bash "$repo/nix/clean-output.sh"
