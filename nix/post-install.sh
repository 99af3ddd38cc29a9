# postInstall of nix/package.nix, also run by nix/tests/replay-build.sh: npm's bookkeeping in the
# pruned node_modules is of no use at run time (and the hidden lock names the build directory).
set -eu
app="$out/lib/node_modules/claude-api-proxy"
rm -rf "$app/node_modules/.package-lock.json" "$app/node_modules/.bin" "$app/node_modules/.cache"
