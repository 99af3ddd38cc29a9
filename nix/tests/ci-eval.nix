# What CI can evaluate with Nix alone (no nixpkgs, no home-manager): the shared option declarations
# with ./stub-lib.nix, the helpers the modules build the unit from, the layout of the flake's
# outputs with stand-in inputs, and flake.lock. Run by ./ci.sh:
#   nix-instantiate --eval --strict --json nix/tests/ci-eval.nix -A report
#   nix-instantiate --eval --strict --json nix/tests/ci-eval.nix -A settings
let
  lib = import ./stub-lib.nix;
  common = import ../common.nix { inherit lib; };
  inherit (builtins)
    attrNames
    concatMap
    filter
    fromJSON
    functionArgs
    isFunction
    listToAttrs
    match
    readFile
    sort
    ;

  # ------------------------------------------------------------------ options and defaults
  core = common.mkCoreOptions {
    yamlType = lib.types.anything;
    defaultPackage = { };
    dirs = {
      telemetry = "/home/alice/.local/share/nixos-ai-stack/telemetry";
      telemetryText = "";
      state = "/home/alice/.local/state/claude-api-proxy";
      stateText = "";
    };
  };
  sections = core.settings.type.options;
  typed = concatMap (
    section:
    map (key: {
      path = "${section}.${key}";
      option = sections.${section}.type.options.${key};
    }) (attrNames sections.${section}.type.options)
  ) (attrNames sections);

  optionProblems =
    map (t: "default of settings.${t.path} fails its own type (${t.option.type.name})") (
      filter (t: !(t.option.type.check t.option.default)) typed
    )
    ++ map (name: "option ${name} has no description") (
      filter (name: !(core.${name} ? description)) (attrNames core)
    );

  # ------------------------------------------------------------------ helpers used by both modules
  expect = {
    "isLoopback 127.0.0.1" = common.isLoopback "127.0.0.1";
    "isLoopback 127.1.2.3" = common.isLoopback "127.1.2.3";
    "isLoopback localhost" = common.isLoopback "localhost";
    "isLoopback ::1" = common.isLoopback "::1";
    "not isLoopback 0.0.0.0" = !common.isLoopback "0.0.0.0";
    "not isLoopback 192.168.1.2" = !common.isLoopback "192.168.1.2";
    "baseUrl default" = common.baseUrl { host = "127.0.0.1"; port = 8094; } == "http://127.0.0.1:8094";
    "baseUrl of 0.0.0.0" = common.baseUrl { host = "0.0.0.0"; port = 8094; } == "http://127.0.0.1:8094";
    "baseUrl of ::" = common.baseUrl { host = "::"; port = 1; } == "http://[::1]:1";
    "baseUrl of fd00::2" = common.baseUrl { host = "fd00::2"; port = 1; } == "http://[fd00::2]:1";
    "unitPath ~/x" = common.unitPath "~/x/y" == "%h/x/y";
    "unitPath /abs" = common.unitPath "/var/lib/x" == "/var/lib/x";
    "agenix path" = common.runtimeDirToSpecifier "$XDG_RUNTIME_DIR/agenix/key" == "%t/agenix/key";
    "agenix path, braces" = common.runtimeDirToSpecifier "\${XDG_RUNTIME_DIR}/agenix/key" == "%t/agenix/key";
    "sops-nix path" = common.runtimeDirToSpecifier "%r/secrets/key" == "%t/secrets/key";
    "literalWord escapes % and $" = common.literalWord "a%b$c \"d\"" == "\"a%%b$$c \\\"d\\\"\"";
    "unitWord keeps %h" = common.unitWord "%h/x y" == "\"%h/x y\"";
    "port type rejects a string" = !sections.listen.type.options.port.type.check "8094";
    "url type rejects no scheme" = !sections.rag.type.options.url.type.check "localhost:8091";
    "url type accepts https" = sections.local.type.options.url.type.check "https://gpu.lan:8080/v1";
    "dir type accepts ~/" = sections.telemetry.type.options.dir.type.check "~/.local/share/t";
    "dir type rejects relative" = !sections.telemetry.type.options.dir.type.check "telemetry";
  };
  helperProblems = map (name: "helper check failed: ${name}") (filter (name: !expect.${name}) (attrNames expect));

  # ------------------------------------------------------------------ assertions of both modules
  # The merged configuration a module would see: the option defaults, with a case's settings over them.
  defaultCfg = {
    settings = lib.mapAttrs (_: section: lib.mapAttrs (_: o: o.default) section.type.options) sections;
    environment = { };
    extraArgs = [ ];
    apiKeyFile = null;
  };
  failedWith =
    case:
    map (a: a.message) (
      filter (a: !a.assertion) (common.coreAssertions "services.claude-api-proxy" (lib.recursiveUpdate defaultCfg case))
    );
  # Each case must fail, with a message that contains the text (and so says what to change).
  assertionCases = {
    "defaults pass" = {
      case = { };
      expect = null;
    };
    "bind beyond loopback without a token" = {
      case.settings.listen.host = "0.0.0.0";
      expect = "set services.claude-api-proxy.settings.auth.tokenFile";
    };
    "port 0" = {
      case.settings.listen.port = 0;
      expect = "choose a port";
    };
    "thresholds reversed" = {
      case.settings.routing.simpleQueryTokens = 5000;
      expect = "simpleQueryTokens must be at most";
    };
    "extraArgs --port" = {
      case.extraArgs = [ "--port" "8095" ];
      expect = "remove it and set services.claude-api-proxy.settings.listen.port";
    };
    "extraArgs --host=" = {
      case.extraArgs = [ "--host=0.0.0.0" ];
      expect = "set services.claude-api-proxy.settings.listen.host";
    };
    "extraArgs --config" = {
      case.extraArgs = [ "--config" "/x.yaml" ];
      expect = "put the settings into services.claude-api-proxy.settings";
    };
    "environment PROXY_PORT" = {
      case.environment.PROXY_PORT = "1";
      expect = "set services.claude-api-proxy.settings.listen.port instead";
    };
    "environment PROXY_HOST" = {
      case.environment.PROXY_HOST = "::";
      expect = "set services.claude-api-proxy.settings.listen.host instead";
    };
    "environment ANTHROPIC_API_KEY_FILE" = {
      case.environment.ANTHROPIC_API_KEY_FILE = "/k";
      expect = "set services.claude-api-proxy.apiKeyFile instead";
    };
    "environment ANTHROPIC_API_KEY" = {
      case.environment.ANTHROPIC_API_KEY = "sk";
      expect = "use services.claude-api-proxy.apiKeyFile";
    };
    "environment ANTHROPIC_BASE_URL" = {
      case.environment.ANTHROPIC_BASE_URL = "http://x:1";
      expect = "set services.claude-api-proxy.settings.remote.url";
    };
    "apiKeyFile in the store" = {
      case.apiKeyFile = "${builtins.storeDir}/k";
      expect = "apiKeyFile = \"${builtins.storeDir}/k\" points into the Nix store";
    };
    "tokenFile in the store" = {
      case.settings.auth.tokenFile = "${builtins.storeDir}/t";
      expect = "settings.auth.tokenFile = \"${builtins.storeDir}/t\" points into the Nix store";
    };
    "remote.apiKeyFile in the store" = {
      case.settings.remote.apiKeyFile = "${builtins.storeDir}/k";
      expect = "settings.remote.apiKeyFile = \"${builtins.storeDir}/k\" points into the Nix store";
    };
    "local.apiKeyFile relative" = {
      case.settings.local.apiKeyFile = "key";
      expect = "settings.local.apiKeyFile = \"key\" is relative";
    };
    "tokenFile relative" = {
      case.settings.auth.tokenFile = "token";
      expect = "give an absolute path";
    };
    "apiKeyFile and remote.apiKeyFile" = {
      case = {
        apiKeyFile = "/run/a";
        settings.remote.apiKeyFile = "/run/b";
      };
      expect = "remove one of them";
    };
  };
  runtimePathsAccepted = failedWith {
    apiKeyFile = "$XDG_RUNTIME_DIR/agenix/k";
    settings.auth.tokenFile = "%t/secrets/t";
    settings.local.apiKeyFile = "~/keys/local";
  };
  assertionProblems =
    map (name: "assertion case \"${name}\": ${toString (failedWith assertionCases.${name}.case)}") (
      filter (
        name:
        let
          c = assertionCases.${name};
          failed = failedWith c.case;
        in
        if c.expect == null then failed != [ ] else !(lib.any (lib.hasInfix c.expect) failed)
      ) (attrNames assertionCases)
    )
    ++ lib.optional (runtimePathsAccepted != [ ]) "runtime-directory and home paths are rejected: ${toString runtimePathsAccepted}";

  # ------------------------------------------------------------------ nix/package.nix
  # Called as callPackage would, with builders that return their arguments: the source filter is
  # the real one (builtins.path), the rest is what buildNpmPackage and the hooks receive.
  packageArgs = import ../package.nix {
    inherit lib;
    stdenvNoCC.mkDerivation = args: args // { type = "derivation"; };
    buildNpmPackage = args: args;
    makeSetupHook = attrs: script: attrs // { inherit script; };
    nodejs = drv "nodejs";
    cacert = drv "cacert" // { outPath = "/cacert"; };
  };
  sourceEntries = names (builtins.readDir packageArgs.src);
  wantedEntries = filter (e: builtins.pathExists (../.. + "/${e}")) (fromJSON (readFile ../source.json)).include;
  packageExpect = {
    "built with buildNpmPackage (pname, version of package.json)" =
      packageArgs.pname == "claude-api-proxy" && packageArgs.version == (fromJSON (readFile ../../package.json)).version;
    "source = the entries of nix/source.json that exist" = sourceEntries == sort (a: b: a < b) wantedEntries;
    "source has README.md (the settings-table test reads it)" = lib.any (e: e == "README.md") sourceEntries;
    "npmDeps is fixed-output with nix/npm-deps.hash" =
      packageArgs.npmDeps.outputHash == lib.fileContents ../npm-deps.hash
      && packageArgs.npmDeps.outputHashMode == "recursive";
    "custom npmConfigHook is nix/npm-config-hook.sh" = packageArgs.npmConfigHook.script == ../npm-config-hook.sh;
    "checkPhase runs nix/check-phase.sh" = lib.hasInfix "-check-phase.sh" packageArgs.checkPhase;
    "doCheck" = packageArgs.doCheck;
    "npmDeps is a disallowed reference" = packageArgs.disallowedReferences == [ packageArgs.npmDeps ];
    "meta.mainProgram" = packageArgs.meta.mainProgram == "claude-api-proxy";
  };
  packageProblems = map (name: "package.nix: ${name}") (filter (name: !packageExpect.${name}) (attrNames packageExpect));

  # ------------------------------------------------------------------ flake layout
  flake = import ../../flake.nix;
  systems = [
    "aarch64-darwin"
    "aarch64-linux"
    "x86_64-darwin"
    "x86_64-linux"
  ];
  drv = name: {
    type = "derivation";
    inherit name;
  };
  stubPkgs = system: {
    stdenv.hostPlatform = {
      inherit system;
      isLinux = match ".*-linux" system != null;
    };
    callPackage = _fn: _args: drv "claude-api-proxy";
    mkShell = _: drv "shell";
    nodejs = drv "nodejs";
    nixfmt-tree = drv "nixfmt-tree";
  };
  outputs = flake.outputs {
    self = outputs;
    nixpkgs = {
      inherit lib;
      legacyPackages = lib.genAttrs systems stubPkgs;
    };
    home-manager = { };
  };
  names = attrs: sort (a: b: a < b) (attrNames attrs);
  same = a: b: a == b;

  flakeExpect = {
    "inputs.nixpkgs is nixpkgs-unstable" = flake.inputs.nixpkgs.url == "github:NixOS/nixpkgs/nixpkgs-unstable";
    "inputs.home-manager follows nixpkgs" = flake.inputs.home-manager.inputs.nixpkgs.follows == "nixpkgs";
    "packages for 4 systems" = same (names outputs.packages) systems;
    "packages.<system> = claude-api-proxy, default" = lib.all (
      s: same (names outputs.packages.${s}) [ "claude-api-proxy" "default" ]
    ) systems;
    "overlays.default adds claude-api-proxy" =
      (outputs.overlays.default (stubPkgs "x86_64-linux") { }) ? claude-api-proxy;
    "homeModules = claude-api-proxy, default" = same (names outputs.homeModules) [ "claude-api-proxy" "default" ];
    "homeModules are module functions" = lib.all (
      m: isFunction m && functionArgs m ? config && functionArgs m ? pkgs
    ) (builtins.attrValues outputs.homeModules);
    "homeManagerModules warn" = outputs.homeManagerModules.default.warnings != [ ];
    "nixosModules = claude-api-proxy, default" = same (names outputs.nixosModules) [ "claude-api-proxy" "default" ];
    "nixosModules are module functions" = lib.all (m: isFunction m && functionArgs m ? config) (
      builtins.attrValues outputs.nixosModules
    );
    "checks on Linux" = lib.all (
      s: same (names outputs.checks.${s}) [ "hm-custom" "hm-default" "hm-own-package" "package" "vm" ]
    ) [ "x86_64-linux" "aarch64-linux" ];
    "checks on Darwin" = lib.all (s: same (names outputs.checks.${s}) [ "package" ]) [
      "x86_64-darwin"
      "aarch64-darwin"
    ];
    "devShells.<system>.default" = lib.all (s: outputs.devShells.${s} ? default) systems;
    "formatter.<system>" = same (names outputs.formatter) systems;
  };
  flakeProblems = map (name: "flake: ${name}") (filter (name: !flakeExpect.${name}) (attrNames flakeExpect));

  # ------------------------------------------------------------------ flake.lock
  lock = fromJSON (readFile ../../flake.lock);
  locked = name: lock.nodes.${name}.locked;
  lockExpect = {
    "version 7" = lock.version == 7;
    "root inputs" = lock.nodes.${lock.root}.inputs == {
      home-manager = "home-manager";
      nixpkgs = "nixpkgs";
    };
    "home-manager follows nixpkgs" = lock.nodes.home-manager.inputs == { nixpkgs = [ "nixpkgs" ]; };
    "nixpkgs original" = lock.nodes.nixpkgs.original == {
      owner = "NixOS";
      repo = "nixpkgs";
      ref = "nixpkgs-unstable";
      type = "github";
    };
    "home-manager original" = lock.nodes.home-manager.original == {
      owner = "nix-community";
      repo = "home-manager";
      type = "github";
    };
  }
  // listToAttrs (
    map (name: {
      name = "${name} locked to a commit with narHash";
      value =
        match "[0-9a-f]{40}" (locked name).rev != null
        && match "sha256-[A-Za-z0-9+/]{43}=" (locked name).narHash != null
        && builtins.isInt (locked name).lastModified
        && (locked name).type == "github";
    }) [ "nixpkgs" "home-manager" ]
  );
  lockProblems = map (name: "flake.lock: ${name}") (filter (name: !lockExpect.${name}) (attrNames lockExpect));
in
{
  # Compared with src/config/schema.ts by config-schema.mjs: defaults ("listen.port" = 8094, …)
  # and the values of enumerations ("local.kind" = [ … ]).
  settings = {
    defaults = listToAttrs (
      map (t: {
        name = t.path;
        value = t.option.default;
      }) typed
    );
    enums = listToAttrs (
      map (t: {
        name = t.path;
        value = t.option.type.values;
      }) (filter (t: t.option.type ? values) typed)
    );
  };
  report = {
    problems = optionProblems ++ helperProblems ++ assertionProblems ++ packageProblems ++ flakeProblems ++ lockProblems;
    checked = {
      typedSettings = map (t: t.path) typed;
      coreOptions = attrNames core;
      helpers = attrNames expect;
      assertions = attrNames assertionCases;
      package = attrNames packageExpect;
      source = sourceEntries;
      flake = attrNames flakeExpect;
      lock = attrNames lockExpect;
      pins = map (name: "${name} ${(locked name).rev} ${(locked name).narHash}") [
        "nixpkgs"
        "home-manager"
      ];
    };
  };
}
