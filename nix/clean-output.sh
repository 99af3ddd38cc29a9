# postFixup of nix/package.nix, also run by nix/tests/replay-build.sh: npm's bookkeeping in the
# installed node_modules is of no use at run time (and the hidden lock names the build directory).
# After the fixup phase because newer buildNpmPackage prunes node_modules there (npmFixupHook),
# and that prune reads the hidden lock.
set -eu
app="$out/lib/node_modules/claude-api-proxy"
rm -rf "$app/node_modules/.package-lock.json" "$app/node_modules/.bin" "$app/node_modules/.cache"
