#!/usr/bin/env bash
# The Nix checks CI runs (from .ci/run, after `npm ci`), on a machine with only Debian's nix-bin
# (Nix 2.8) and this repository: no nixpkgs, no home-manager, nothing built. What needs those runs
# in `nix flake check` (nix/tests/checks.nix) and in nix/tests/eval-modules.sh; the package build
# is replayed by nix/tests/replay-build.sh (also from .ci/run).
set -euo pipefail
cd "$(dirname "$0")/../.."

started=$(date +%s)
failed=0
step() { printf '\n== %s\n' "$*"; }
fail() {
  echo "FAIL: $*"
  failed=$((failed + 1))
}
nix_eval() { nix-instantiate --eval --strict --json --read-write-mode "$@"; }

command -v nix-instantiate >/dev/null || {
  echo "nix/tests/ci.sh needs nix-instantiate (apt-get install nix-bin)"
  exit 1
}
echo "nix: $(nix-instantiate --version)"

step "1. syntax: nix-instantiate --parse on every .nix file of the repository"
count=0
while IFS= read -r -d '' file; do
  if nix-instantiate --parse "$file" >/dev/null 2>"${TMPDIR:-/tmp}/nix-parse.log"; then
    count=$((count + 1))
  else
    fail "$file does not parse:"
    cat "${TMPDIR:-/tmp}/nix-parse.log"
  fi
done < <(find . \( -name node_modules -o -name .git -o -name 'result*' \) -prune -o -name '*.nix' -print0 | sort -z)
echo "parsed $count files"

step "2. evaluation with Nix alone (nix/tests/ci-eval.nix, stand-in lib and flake inputs)"
if report=$(nix_eval nix/tests/ci-eval.nix -A report); then
  node -e '
    const r = JSON.parse(process.argv[1]);
    const c = r.checked;
    console.log(`option declarations: ${c.coreOptions.join(", ")}`);
    console.log(`typed settings (defaults checked against their types): ${c.typedSettings.join(", ")}`);
    console.log(`helpers (${c.helpers.length}): ${c.helpers.join("; ")}`);
    console.log(`assertions of both modules, each case with its message (${c.assertions.length}): ${c.assertions.join("; ")}`);
    console.log(`nix/package.nix (${c.package.length}): ${c.package.join("; ")}`);
    console.log(`  its filtered source: ${c.source.join(" ")}`);
    console.log(`flake outputs (${c.flake.length}): ${c.flake.join("; ")}`);
    console.log(`flake.lock (${c.lock.length}): ${c.lock.join("; ")}`);
    for (const pin of c.pins) console.log(`  pinned: ${pin}`);
    for (const p of r.problems) console.log(`FAIL: ${p}`);
    process.exit(r.problems.length > 0 ? 1 : 0);
  ' "$report" || fail "nix/tests/ci-eval.nix reported problems"
else
  fail "nix/tests/ci-eval.nix does not evaluate"
fi

step "3. nix/config-schema.json is current, and the settings options mirror it (paths, defaults, enumerations)"
if [ ! -d node_modules/typescript ]; then
  fail "node_modules is missing: run npm ci first"
elif ! node scripts/nix-config-schema.mjs --check; then
  fail "nix/config-schema.json is stale"
elif nix_eval nix/tests/ci-eval.nix -A settings >"${TMPDIR:-/tmp}/nix-settings.json"; then
  node nix/tests/config-schema.mjs compare "${TMPDIR:-/tmp}/nix-settings.json" || fail "the Nix options and the config schema disagree"
else
  fail "could not evaluate the settings options"
fi

step "4. npm dependency hash (nix/npm-deps.hash) matches package-lock.json"
scripts/nix-deps-hash.sh --check || fail "nix/npm-deps.hash is stale: run scripts/nix-deps-hash.sh and commit it"

step "5. hygiene of the Nix files: no paths of this machine, no registry hosts"
# The first alternative is this machine's work folder, spelled so that this line does not match itself.
if grep -rnE '/w[o]rk/|/root/|/home/[a-z]+/\.|registry\.[a-z0-9-]+\.(org|com)' flake.nix nix scripts/nix-deps-hash.sh scripts/nix-config-schema.mjs \
  --include='*.nix' --include='*.sh' --include='*.mjs' --include='*.json' --exclude=ci.sh | grep -v '/home/alice/'; then
  fail "machine paths or registry hosts above"
else
  echo "none found"
fi

step "6. modules with real home-manager and nixpkgs' lib (only with HOME_MANAGER and NIXPKGS_LIB set to checkouts)"
if [ -n "${HOME_MANAGER-}" ] && [ -n "${NIXPKGS_LIB-}" ]; then
  for set in core full; do
    log="${TMPDIR:-/tmp}/nix-eval-modules-$set.log"
    if HM_FULL=$([ "$set" = full ] && echo 1) bash nix/tests/eval-modules.sh >"$log" 2>&1; then
      echo "home-manager's $set module set: $(grep -c 'rejected as expected' "$log") negative cases (home-manager and NixOS) rejected, every case as expected"
    else
      grep -E 'FAIL|error' "$log" | head -n 20
      fail "nix/tests/eval-modules.sh with home-manager's $set module set (log: $log)"
    fi
  done
else
  echo "not run: no checkouts given (CI cannot fetch them)"
fi

echo
elapsed=$(($(date +%s) - started))
if [ "$failed" -gt 0 ]; then
  echo "nix/tests/ci.sh: $failed check(s) FAILED (${elapsed}s)"
  exit 1
fi
echo "nix/tests/ci.sh: all Nix checks passed (${elapsed}s)"
