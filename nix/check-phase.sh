# The check phase of nix/package.nix, also run by nix/tests/replay-build.sh: the type check and the
# whole test suite but test/e2e. Those tests drive a browser (the dashboard test, Debian's Chromium)
# and the real Claude Code CLI, neither of which is in the build sandbox; CI runs the dashboard
# test outside Nix. Every other test talks to 127.0.0.1 only, so a test that needs the network
# fails here (the sandbox, and the replay's `unshare -n`, have loopback only).
set -eu
npm run typecheck
node_modules/.bin/vitest run --exclude 'test/e2e/**'
