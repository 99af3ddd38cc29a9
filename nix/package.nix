# claude-api-proxy built from this repository with nixpkgs' buildNpmPackage.
#
# package-lock.json has no `resolved` URLs, so nixpkgs' npm fetchers cannot read it; the builder
# does not need them. `npmDeps` is a fixed-output derivation in which npm itself fetches exactly
# the locked tarballs (each checked against the lock's `integrity`) into a directory named by
# content; its hash lives in ./npm-deps.hash, kept current by scripts/nix-deps-hash.sh (CI fails
# when it is stale). A custom `npmConfigHook` (./npm-config-hook.sh) points the lock at that
# directory and runs `npm ci --offline`; buildNpmPackage's own build and install hooks do the rest.
# nix/tests/replay-build.sh replays these steps outside Nix in CI. See docs/nix.md.
{
  lib,
  stdenvNoCC,
  buildNpmPackage,
  makeSetupHook,
  nodejs,
  cacert,
  # Override when package-lock.json changed and the hash file is not updated yet.
  npmDepsHash ? lib.fileContents ./npm-deps.hash,
}:

let
  root = ../.;
  packageJson = lib.importJSON (root + "/package.json");
  lockFile = root + "/package-lock.json";

  # Only what the build and the tests read (./source.json, shared with the CI replay): editing the
  # Nix modules does not rebuild the package.
  wanted = (lib.importJSON ./source.json).include;
  src = lib.cleanSourceWith {
    name = "claude-api-proxy-source";
    src = root;
    filter =
      path: _type:
      let
        relative = lib.removePrefix (toString root + "/") (toString path);
      in
      builtins.elem (builtins.head (lib.splitString "/" relative)) wanted;
  };

  npmDeps = stdenvNoCC.mkDerivation {
    # The lock's own hash is in the name: when package-lock.json changes, Nix must fetch again and
    # a stale ./npm-deps.hash fails at once with the right value, instead of reusing an old
    # directory that lacks the new tarballs.
    name = "claude-api-proxy-npm-deps-${builtins.substring 0 12 (builtins.hashFile "sha256" lockFile)}";
    dontUnpack = true;
    nativeBuildInputs = [ nodejs ];
    buildPhase = ''
      runHook preBuild
      export HOME="$TMPDIR"
      node ${./npm-deps.mjs} fetch ${lockFile} "$out" --cache "$TMPDIR/npm-cache"
      runHook postBuild
    '';
    dontInstall = true;
    dontFixup = true;

    NODE_EXTRA_CA_CERTS = "${cacert}/etc/ssl/certs/ca-bundle.crt";
    # npm_config_registry lets a machine behind a mirror fetch the same bytes (integrity-checked).
    impureEnvVars = lib.fetchers.proxyImpureEnvVars ++ [ "npm_config_registry" ];
    outputHashMode = "recursive";
    outputHashAlgo = "sha256";
    outputHash = npmDepsHash;
  };

  npmConfigHook = makeSetupHook {
    name = "claude-api-proxy-npm-config-hook";
    substitutions.npmDepsScript = ./npm-deps.mjs;
  } ./npm-config-hook.sh;
in
buildNpmPackage {
  pname = "claude-api-proxy";
  inherit (packageJson) version;
  inherit
    src
    nodejs
    npmDeps
    npmConfigHook
    ;

  # The build is `npm run build` (buildNpmPackage's npmBuildHook). The install (npmInstallHook)
  # copies what `npm pack` would publish (package.json "files": dist/bundle) and wraps `bin` with
  # nodejs; node_modules is pruned (in the install or, in newer nixpkgs, the fixup hook) to the
  # runtime dependencies the bundle loads by name (pino and its transports, uPlot's browser files).

  # The test suite starts real servers on loopback ports.
  doCheck = true;
  __darwinAllowLocalNetworking = true;
  checkPhase = ''
    runHook preCheck
    bash ${./check-phase.sh}
    runHook postCheck
  '';

  postFixup = ''
    bash ${./clean-output.sh}
  '';

  disallowedReferences = [ npmDeps ];

  passthru = { inherit npmDeps; };

  meta = {
    description = packageJson.description;
    license = lib.licenses.mit;
    mainProgram = "claude-api-proxy";
    # No nixpkgs maintainer handle exists for this project yet; fill in when it gets one.
    maintainers = [ ];
    platforms = lib.platforms.linux ++ lib.platforms.darwin;
  };
}
