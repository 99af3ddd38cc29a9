# claude-api-proxy built from this repository with nixpkgs' Node.js.
#
# package-lock.json has no `resolved` URLs, so nixpkgs' npm fetchers cannot read it. Instead a
# fixed-output derivation lets npm fetch exactly the locked tarballs (checked against the lock's
# `integrity`) into a directory named by content; its hash lives in ./npm-deps.hash and is kept
# current by scripts/nix-deps-hash.sh (CI fails when it is stale). The build then rewrites the lock
# to point at that directory and runs `npm ci --offline`. Details: ../docs/nix.md, "Dependency hash".
{
  lib,
  stdenv,
  stdenvNoCC,
  nodejs,
  makeWrapper,
  cacert,
  # Override when package-lock.json changed and the hash file is not updated yet.
  npmDepsHash ? lib.fileContents ./npm-deps.hash,
}:

let
  root = ../.;
  packageJson = lib.importJSON (root + "/package.json");
  lockFile = root + "/package-lock.json";

  # Only what the build and the tests read (the tests check the documentation too): editing the Nix
  # modules does not rebuild.
  wanted = [
    "package.json"
    "package-lock.json"
    "tsconfig.json"
    "tsconfig.build.json"
    "vitest.config.ts"
    "rolldown.config.ts"
    "src"
    "test"
    "bench"
    "README.md"
    "ARCHITECTURE.md"
    "docs"
  ];
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
in
stdenv.mkDerivation {
  pname = "claude-api-proxy";
  inherit (packageJson) version;
  inherit src;

  nativeBuildInputs = [
    nodejs
    makeWrapper
  ];

  passthru = { inherit npmDeps; };

  configurePhase = ''
    runHook preConfigure
    export HOME="$TMPDIR"
    # A link outside the store: the lock (and node_modules/.package-lock.json) then name no store
    # path, so the runtime closure cannot pick up the whole tarball directory.
    ln -s ${npmDeps} "$TMPDIR/npm-deps"
    node ${./npm-deps.mjs} lock package-lock.json "$TMPDIR/npm-deps"
    npm ci --offline --ignore-scripts --no-audit --no-fund --cache "$TMPDIR/npm-cache"
    patchShebangs node_modules
    runHook postConfigure
  '';

  buildPhase = ''
    runHook preBuild
    npm run build
    runHook postBuild
  '';

  # The test suite starts real servers on loopback ports.
  doCheck = true;
  __darwinAllowLocalNetworking = true;
  # Everything but test/e2e: the dashboard test drives Debian's Chromium and the Claude Code test
  # the real CLI, neither of which is in the build sandbox (CI runs the dashboard test).
  checkPhase = ''
    runHook preCheck
    npm run typecheck
    npx vitest run --exclude 'test/e2e/**'
    runHook postCheck
  '';

  installPhase = ''
    runHook preInstall
    # The bundle (dist/bundle) carries what it imports; node_modules keeps only the runtime
    # dependencies it loads by name (pino and its transports, uPlot's browser files).
    npm prune --omit=dev --offline --ignore-scripts --no-audit --no-fund --cache "$TMPDIR/npm-cache"
    rm -rf node_modules/.package-lock.json node_modules/.bin node_modules/.cache
    app="$out/lib/node_modules/claude-api-proxy"
    mkdir -p "$app/dist"
    cp -r package.json node_modules "$app/"
    cp -r dist/bundle "$app/dist/"
    makeWrapper ${lib.getExe nodejs} "$out/bin/claude-api-proxy" --add-flags "$app/dist/bundle/cli.js"
    runHook postInstall
  '';

  disallowedReferences = [ npmDeps ];

  meta = {
    description = packageJson.description;
    license = lib.licenses.mit;
    mainProgram = "claude-api-proxy";
    platforms = lib.platforms.linux ++ lib.platforms.darwin;
  };
}
