#!/usr/bin/env bash
# Evaluates the home-manager and NixOS modules for real, without nixpkgs: home-manager's own core
# modules (minimal = true) and nixpkgs' lib from checkouts outside this repository, with the
# stand-in pkgs of nix/tests/stub-pkgs. Prints what a switch would install (the systemd unit, the
# YAML with user settings over defaults, the claude wrapper, the launchd agent, the NixOS units)
# and checks that wrong types and contradictions fail with module errors.
#
#   nix/tests/eval-modules.sh HOME_MANAGER_CHECKOUT NIXPKGS_LIB_CHECKOUT
#   (or HOME_MANAGER=… NIXPKGS_LIB=… nix/tests/eval-modules.sh)
#   HM_FULL=1 …: every home-manager module instead of its core (see fullModuleSet in
#   eval-modules.nix; needs a stand-in for each package those modules name)
#
# Needs nix-instantiate/nix-build (Nix 2.8 is enough) with sandbox = false (Debian's default: the
# stand-in builders use the host's /bin/sh), node, and `npm ci` done (the generated YAML is checked
# with the program's own config loader). Use the revisions pinned in flake.lock.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
hm=$(realpath "${1:-${HOME_MANAGER:?give the home-manager checkout}}")
nixpkgs_lib=$(realpath "${2:-${NIXPKGS_LIB:?give the nixpkgs.lib checkout}}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What home-manager reads from pkgs.path: nixpkgs.lib's lib/ and the stand-in nixos/ modules.
mkdir "$work/nixpkgs"
ln -s "$nixpkgs_lib/lib" "$work/nixpkgs/lib"
ln -s "$repo/nix/tests/stub-pkgs/nixos" "$work/nixpkgs/nixos"

full=false
names_file="$work/package-names"
: >"$names_file"
if [ -n "${HM_FULL-}" ]; then
  full=true
  # Every pkgs.<name> home-manager's modules mention gets an empty stand-in package.
  grep -rhoE '\bpkgs\.[A-Za-z_][A-Za-z0-9_-]*' "$hm/modules" | sed 's/^pkgs\.//' | sort -u >"$names_file"
fi
args=(
  "$repo/nix/tests/eval-modules.nix"
  --arg homeManager "$hm"
  --arg nixpkgsLib "$nixpkgs_lib"
  --arg nixpkgsPath "$work/nixpkgs"
  --argstr cli "node $repo/nix/tests/config-schema.mjs"
  --arg fullModuleSet "$full"
  --arg extraPackageNames "$names_file"
)
quiet=(--option substituters '' --option sandbox false)

failures=0
json() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.stringify(JSON.parse(s),null,2)))'; }
section() { printf '\n==== %s ====\n' "$*"; }

evaluate() { nix-instantiate --eval --strict --json --read-write-mode "${quiet[@]}" "${args[@]}" -A "$1"; }

show_case() {
  local attr=$1
  section "$attr: evaluated options (nix-instantiate --eval -A $attr.summary)"
  evaluate "$attr.summary" | json
}

show_files() {
  local attr=$1 out
  out=$(nix-build --no-out-link "${quiet[@]}" "${args[@]}" -A "$attr.files" 2>"$work/build.log") || {
    cat "$work/build.log"
    echo "FAIL: building $attr.files"
    failures=$((failures + 1))
    return
  }
  section "$attr: ~/.config/systemd/user/claude-api-proxy.service"
  cat "$out/claude-api-proxy.service"
  section "$attr: ~/.config/claude-api-proxy/config.yaml (JSON is YAML; validated at build time by check-config)"
  json <"$out/config.yaml"
  # check-config's verdict, from the build log of the checked YAML.
  nix-store --read-log "$(nix-store --query --deriver "$(readlink "$out/config-in-store")")" 2>/dev/null | grep "valid" || true
  if [ -f "$out/claude-wrapper" ]; then
    section "$attr: bin/claude (the wrapper)"
    cat "$out/claude-wrapper"
    cat "$out/claude-wrapper-bin"
  fi
}

# Must fail with a module error containing the case's expected text; prints the message.
expect_failure() {
  local group=$1 case=$2 expected log="$work/negative.log"
  expected=$(evaluate "${group}Expect.$case" | node -pe 'JSON.parse(require("fs").readFileSync(0))')
  if evaluate "$group.$case" >/dev/null 2>"$log"; then
    echo "FAIL: $group.$case evaluated, but must be rejected"
    failures=$((failures + 1))
  elif ! grep -qF -- "$expected" "$log"; then
    echo "FAIL: $group.$case failed, but not with \"$expected\":"
    cat "$log"
    failures=$((failures + 1))
  else
    printf -- '-- %s.%s: rejected as expected:\n' "$group" "$case"
    grep -v '^(use' "$log" | sed -e '/^ *$/d' -e 's/^/   /' | head -n 12
  fi
}
names() { evaluate "$1" | node -pe 'Object.keys(JSON.parse(require("fs").readFileSync(0))).join(" ")'; }

# What each case puts in the profile, in one line, before the details.
section "home-manager: Claude Code wiring of each case"
evaluate hmSummaries | node -e '
  const cases = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const [name, s] of Object.entries(cases)) {
    const bins = s.claudeBinaries.map((b) => `${b.name}${b.wrapped ? " (wrapped)" : " (NOT wrapped)"}`).join(", ") || "none";
    const env = typeof s.claudeCodePackage === "object" ? JSON.stringify(s.claudeCodePackage.settingsEnv) : "no programs.claude-code";
    console.log(`${name}: CLI on PATH ${s.cliOnPath}; bin/claude: ${bins}; settings.json env: ${env}; session ANTHROPIC_BASE_URL: ${s.sessionVariables}; VS Code: ${JSON.stringify(s.vscode)}`);
  }'

for case in $(names hmSummaries); do
  show_case "hm.$case"
  [ "$case" = darwin ] || show_files "hm.$case"
done

section "home-manager: negative cases (each must fail)"
for case in $(names hmNegativeExpect); do
  expect_failure hmNegative "$case"
done

section "home-manager: a bad freeform setting fails the build (check-config)"
if nix-build --no-out-link "${quiet[@]}" "${args[@]}" -A hmBadSetting 2>"$work/bad.log" >/dev/null; then
  echo "FAIL: hmBadSetting built, but check-config must reject it"
  failures=$((failures + 1))
elif ! grep -q "simpleQueryTokenz: got 50, expected no such setting" "$work/bad.log"; then
  echo "FAIL: hmBadSetting failed, but not because check-config rejected the setting:"
  cat "$work/bad.log"
  failures=$((failures + 1))
else
  echo "-- hmBadSetting: build failed as expected:"
  grep -E "invalid configuration|expected|failed" "$work/bad.log" | sed 's/^/   /' | head -n 6
fi

for case in $(names nixos); do
  section "NixOS module: nixos.$case"
  evaluate "nixos.$case" | json
done
section "NixOS module: the YAML nixos.team-host runs with (secrets as systemd credentials)"
if out=$(nix-build --no-out-link "${quiet[@]}" "${args[@]}" -A nixosConfig.team-host 2>"$work/build.log"); then
  json <"$out"
else
  cat "$work/build.log"
  echo "FAIL: building nixosConfig.team-host"
  failures=$((failures + 1))
fi

section "NixOS module: negative cases (each must fail)"
for case in $(names nixosNegativeExpect); do
  expect_failure nixosNegative "$case"
done

echo
if [ "$failures" -gt 0 ]; then
  echo "eval-modules: $failures FAILED"
  exit 1
fi
echo "eval-modules: all cases behaved as expected"
