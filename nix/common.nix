# What the home-manager module and the NixOS module share: the options that mirror the program's
# configuration schema, the rendered and validated YAML file, the assertions, the service sandbox
# and the Claude Code wrapper. Defaults, enumerations, bounds and descriptions of the typed
# settings come from ./config-schema.json, generated from src/config/schema.ts by
# scripts/nix-config-schema.mjs (CI fails when it is stale). Only `lib` is needed to import this
# file, so the option declarations can be evaluated without nixpkgs (nix/tests/ci.sh does).
{ lib }:

let
  inherit (lib) literalExpression mkOption types;

  schema = lib.importJSON ./config-schema.json;
  schemaNode = path: lib.foldl' (node: key: node.properties.${key}) schema path;

  # JSON Schema patterns are JavaScript regular expressions, Nix's are POSIX: translate what the
  # schema uses, and refuse what this does not know.
  posixPattern =
    pattern:
    let
      translated = lib.replaceStrings [ "[^\\s]" ] [ "[^[:space:]]" ] pattern;
    in
    if lib.hasInfix "\\" translated then
      throw "nix/common.nix: cannot translate the schema pattern ${pattern} to a Nix regular expression"
    else
      translated;

  # The Nix type of a schema node (the kinds the typed settings use).
  schemaType =
    node:
    let
      members = node.anyOf or [ ];
      literals = lib.filter (m: m ? const) members;
      others = lib.filter (m: !(m ? const) && m.type or "" != "null") members;
    in
    if members != [ ] && literals == members then
      types.enum (map (m: m.const) literals)
    else if members != [ ] && lib.length others == 1 && lib.length members == 2 then
      types.nullOr (schemaType (lib.head others))
    else if node.type == "boolean" then
      types.bool
    else if node.type == "integer" then
      if node ? minimum && node ? maximum then
        types.ints.between node.minimum node.maximum
      else if node.minimum or null == 0 then
        types.ints.unsigned
      else if node ? minimum then
        types.addCheck types.int (n: n >= node.minimum) // { description = "integer of at least ${toString node.minimum}"; }
      else
        types.int
    else if node.type == "string" then
      if node ? pattern then
        types.strMatching (posixPattern node.pattern)
      else if (node.minLength or 0) > 0 then
        types.nonEmptyStr
      else
        types.str
    else
      throw "nix/common.nix: no Nix type for the schema node ${builtins.toJSON node}";

  # A typed sub-option of `settings.<section>` from the schema; `extra` adds or overrides
  # attributes (a module default for the paths the program computes, more description).
  schemaOption =
    section: key: extra:
    let
      node = schemaNode [
        section
        key
      ];
    in
    mkOption (
      {
        type = schemaType node;
        description = node.description;
      }
      // lib.optionalAttrs (node ? default) { inherit (node) default; }
      // removeAttrs extra [ "extraDescription" ]
      // lib.optionalAttrs (extra ? extraDescription) {
        description = "${node.description} ${extra.extraDescription}";
      }
    );

  # A section of the YAML file: the listed keys typed from the schema, anything else passes
  # through as freeform YAML (the program rejects unknown keys, and check-config runs at build
  # time).
  section =
    yamlType: name: keys:
    mkOption {
      type = types.submodule {
        freeformType = yamlType;
        options = lib.mapAttrs (schemaOption name) keys;
      };
      default = { };
      description = (schemaNode [ name ]).description;
    };

  # Absolute, or under the home directory (the program expands a leading ~/).
  directory = types.strMatching "(/|~/).+";

  # Settings and options that hold the path of a secret: never in the store, never relative.
  secretPaths = cfg: {
    "settings.auth.tokenFile" = cfg.settings.auth.tokenFile;
    "settings.remote.apiKeyFile" = cfg.settings.remote.apiKeyFile;
    "settings.local.apiKeyFile" = cfg.settings.local.apiKeyFile;
    "apiKeyFile" = cfg.apiKeyFile;
  };
  # Where a path may start: the root, the home directory (~/ is expanded by the program, %h by
  # systemd) or the runtime directory (agenix, sops-nix).
  isAbsoluteish =
    path:
    lib.any (prefix: lib.hasPrefix prefix path) [
      "/"
      "~/"
      "%h/"
      "%t/"
      "%r/"
      "%d/"
      "$XDG_RUNTIME_DIR/"
      "\${XDG_RUNTIME_DIR}/"
    ];

  # Command-line flags of `serve` and variables the program reads that would move the listener
  # or the key away from what the module renders (src/commands/index.ts, src/config/load.ts).
  listenerFlags =
    let
      port = prefix: "set ${prefix}.settings.listen.port";
      host = prefix: "set ${prefix}.settings.listen.host";
      config = prefix: "put the settings into ${prefix}.settings (the module renders the file)";
    in
    {
      "--port" = port;
      "-p" = port;
      "--host" = host;
      "--config" = config;
      "-c" = config;
    };
  flagName = arg: lib.head (lib.splitString "=" arg);
  shadowingVariables = {
    PROXY_PORT = "settings.listen.port";
    PROXY_HOST = "settings.listen.host";
    ANTHROPIC_API_KEY_FILE = "apiKeyFile";
  };
in
rec {
  # src/config/load.ts isLoopbackHost.
  isLoopback =
    host:
    builtins.elem host [
      "localhost"
      "::1"
      "[::1]"
    ]
    || builtins.match "127\\.[0-9]+\\.[0-9]+\\.[0-9]+" host != null;

  # The URL clients use; a wildcard bind is reached over loopback.
  baseUrl =
    listen:
    let
      h = listen.host;
      host =
        if h == "0.0.0.0" then
          "127.0.0.1"
        else if h == "::" || h == "[::]" then
          "[::1]"
        else if lib.hasInfix ":" h && !lib.hasPrefix "[" h then
          "[${h}]"
        else
          h;
    in
    "http://${host}:${toString listen.port}";

  # A setting path as a systemd unit sees it: ~/ becomes %h (the user's home).
  unitPath = path: if lib.hasPrefix "~/" path then "%h/${lib.removePrefix "~/" path}" else path;

  # agenix (hm) hands out "$XDG_RUNTIME_DIR/agenix/…", sops-nix (hm) "%r/secrets/…"; systemd expands
  # neither in Environment=, but %t is the same directory for a user unit.
  runtimeDirToSpecifier = lib.replaceStrings [ "\${XDG_RUNTIME_DIR}" "$XDG_RUNTIME_DIR" "%r" ] [ "%t" "%t" "%t" ];

  # One quoted word of a unit setting: JSON quoting is valid systemd quoting once $ is doubled.
  # unitWord keeps systemd specifiers (%h, %t) working; literalWord doubles % as well.
  unitWord = word: lib.replaceStrings [ "$" ] [ "$$" ] (builtins.toJSON (toString word));
  literalWord = word: unitWord (lib.replaceStrings [ "%" ] [ "%%" ] (toString word));

  # Core options of services.claude-api-proxy, identical in both modules.
  #   yamlType: (pkgs.formats.yaml { }).type
  #   defaultPackage: the package built with the consumer's pkgs
  #   dirs: defaults (and their documentation) of telemetry.dir and state.dir
  mkCoreOptions =
    {
      yamlType,
      defaultPackage,
      dirs,
    }:
    {
      package = mkOption {
        type = types.package;
        default = defaultPackage;
        defaultText = literalExpression ''pkgs.callPackage "''${inputs.claude-api-proxy}/nix/package.nix" { }'';
        example = literalExpression "inputs.claude-api-proxy.packages.\${pkgs.stdenv.hostPlatform.system}.default";
        description = "The claude-api-proxy package to run; its `claude-api-proxy` command is also put on PATH.";
      };

      settings = mkOption {
        default = { };
        description = ''
          Configuration of claude-api-proxy, written to a YAML file and checked with
          `claude-api-proxy check-config` at build time (a bad value fails the switch).
          Keys are those of the program's schema; the common ones are typed here (from the schema
          itself), the others (e.g. `routing.rules`, `local.headers`, `pricing`) are passed through
          as they are. The project's configuration reference lists every key.
        '';
        example = literalExpression ''
          {
            local = { kind = "openai"; url = "http://127.0.0.1:8080"; model = "qwen2.5-coder-7b"; };
            routing.simpleQueryTokens = 200;
            log.level = "debug";
          }
        '';
        type = types.submodule {
          freeformType = yamlType;
          options = lib.mapAttrs (section yamlType) {
            listen = {
              host.extraDescription = "Anything but loopback requires `auth.tokenFile`.";
              port.extraDescription = "The modules reject 0: clients could not find the port.";
            };
            auth.tokenFile = { };
            remote = {
              url = { };
              apiKeyFile.extraDescription = "Prefer the module's `apiKeyFile` (it works with the secret managers' runtime paths).";
            };
            routing = {
              basis = { };
              simpleQueryTokens = { };
              complexQueryTokens = { };
              maxTokensRemote = { };
              maxTokensRule = { };
            };
            local = {
              enabled = { };
              kind.extraDescription = "`anthropic`: native /v1/messages (Ollama, llama.cpp, vLLM, LM Studio); `openai`: /v1/chat/completions; `coordinator`: the hybrid coordinator's POST /query.";
              url = { };
              model = { };
              apiKeyFile = { };
              tools = { };
            };
            rag = {
              enabled = { };
              url = { };
            };
            telemetry = {
              enabled = { };
              dir = {
                type = directory;
                default = dirs.telemetry;
                defaultText = dirs.telemetryText;
              };
              retentionDays = { };
            };
            state.dir = {
              type = directory;
              default = dirs.state;
              defaultText = dirs.stateText;
            };
            log.level = { };
          };
        };
      };

      apiKeyFile = mkOption {
        type = types.nullOr types.nonEmptyStr;
        default = null;
        example = "%t/agenix/anthropic-api-key";
        description = ''
          File with an Anthropic API key, used only for requests that bring no credentials of their
          own. The path is handed to the program as `ANTHROPIC_API_KEY_FILE` and read at start: the
          key never enters the Nix store or the unit. Paths from agenix or sops-nix under
          `$XDG_RUNTIME_DIR` work (`$XDG_RUNTIME_DIR`, `''${XDG_RUNTIME_DIR}`, `%r` and `%t` all name it).
        '';
      };

      environment = mkOption {
        type = types.attrsOf types.str;
        default = { };
        example = {
          HYBRID_COORDINATOR_URL = "http://127.0.0.1:8092";
        };
        description = ''
          Extra environment of the service (e.g. `HYBRID_COORDINATOR_URL`, `AIDB_MCP_URL`). Values land
          in the world-readable store: no secrets here, use `apiKeyFile`.
        '';
      };

      extraArgs = mkOption {
        type = types.listOf types.str;
        default = [ ];
        description = ''
          Extra command-line arguments of `claude-api-proxy serve`. The listener and the
          configuration file come from `settings` (`--port`, `--host` and `--config` are rejected:
          clients would still be pointed at `settings.listen`).
        '';
      };

      baseUrl = mkOption {
        type = types.str;
        readOnly = true;
        description = ''
          The URL clients use (`ANTHROPIC_BASE_URL`), derived from `settings.listen`; for other
          modules to read.
        '';
      };
    };

  # Assertions both modules make about the core options; each message says what to change.
  coreAssertions =
    prefix: cfg:
    let
      listen = cfg.settings.listen;
      paths = lib.filterAttrs (_: path: path != null) (secretPaths cfg);
    in
    [
      {
        assertion = isLoopback listen.host || cfg.settings.auth.tokenFile != null;
        message = "${prefix}.settings.listen.host = \"${listen.host}\" is reachable beyond this machine: set ${prefix}.settings.auth.tokenFile so clients need a token.";
      }
      {
        assertion = listen.port != 0;
        message = "${prefix}.settings.listen.port = 0 picks a random port, which clients cannot find; choose a port.";
      }
      {
        assertion = cfg.settings.routing.simpleQueryTokens <= cfg.settings.routing.complexQueryTokens;
        message = "${prefix}.settings.routing.simpleQueryTokens must be at most routing.complexQueryTokens.";
      }
      {
        assertion = !(cfg.environment ? ANTHROPIC_API_KEY);
        message = "${prefix}.environment.ANTHROPIC_API_KEY would put the key into the world-readable Nix store; use ${prefix}.apiKeyFile.";
      }
      {
        assertion = !(cfg.environment ? ANTHROPIC_BASE_URL);
        message = "${prefix}.environment.ANTHROPIC_BASE_URL would make the proxy call itself; set ${prefix}.settings.remote.url for an upstream gateway.";
      }
      {
        assertion = cfg.apiKeyFile == null || cfg.settings.remote.apiKeyFile == null;
        message = "${prefix}.apiKeyFile and ${prefix}.settings.remote.apiKeyFile are both set, and apiKeyFile wins; remove one of them.";
      }
    ]
    ++ lib.mapAttrsToList (variable: setting: {
      assertion = !(cfg.environment ? ${variable});
      message = "${prefix}.environment.${variable} overrides ${setting} behind the module's back (the wrapper, settings.json and VS Code would point elsewhere); set ${prefix}.${setting} instead.";
    }) shadowingVariables
    ++ lib.mapAttrsToList (flag: fix: {
      assertion = !lib.any (arg: flagName arg == flag) cfg.extraArgs;
      message = "${prefix}.extraArgs contains ${flag}, which the service would use while Claude Code is pointed at what settings say; remove it and ${fix prefix}.";
    }) listenerFlags
    ++ lib.concatLists (
      lib.mapAttrsToList (name: path: [
        {
          assertion = !lib.hasPrefix builtins.storeDir path;
          message = "${prefix}.${name} = \"${path}\" points into the Nix store, which every user can read; use a secret manager's path (agenix, sops-nix) or a file outside the store.";
        }
        {
          assertion = isAbsoluteish path;
          message = "${prefix}.${name} = \"${path}\" is relative, and the service's working directory is not yours; give an absolute path (or one starting with ~/ or $XDG_RUNTIME_DIR/).";
        }
      ]) paths
    );

  # The YAML file, checked by the program itself: an invalid setting fails the build. The check
  # runs on the build machine: with the configured package when it can run there, else with the
  # package built for the build platform (cross builds).
  configFile =
    pkgs: cfg: settings:
    let
      raw = (pkgs.formats.yaml { }).generate "claude-api-proxy-unchecked.yaml" settings;
      checker =
        if pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform then
          cfg.package
        else
          pkgs.buildPackages.callPackage ./package.nix { };
    in
    pkgs.runCommand "claude-api-proxy.yaml" { } ''
      ${lib.getExe checker} check-config ${raw}
      cp ${raw} "$out"
    '';

  # Sandbox of the service, as tight as Node allows.
  sandbox = writablePaths: {
    NoNewPrivileges = true;
    ProtectSystem = "strict";
    ReadWritePaths = writablePaths;
    PrivateTmp = true;
    PrivateDevices = true;
    ProtectKernelTunables = true;
    ProtectKernelModules = true;
    ProtectKernelLogs = true;
    ProtectControlGroups = true;
    ProtectClock = true;
    ProtectHostname = true;
    RestrictAddressFamilies = [
      "AF_UNIX"
      "AF_INET"
      "AF_INET6"
    ];
    RestrictNamespaces = true;
    RestrictRealtime = true;
    RestrictSUIDSGID = true;
    LockPersonality = true;
    CapabilityBoundingSet = "";
    SystemCallArchitectures = "native";
    SystemCallFilter = [
      "@system-service"
      "~@privileged"
    ];
    # A call outside the filter fails with EPERM instead of killing Node.
    SystemCallErrorNumber = "EPERM";
    # MemoryDenyWriteExecute stays off: V8's JIT needs writable executable memory.
    UMask = "0077";
  };

  # `claude` talking to the proxy: ANTHROPIC_BASE_URL set by default (a value given on the command
  # line still wins); `version` and `meta` kept, so home-manager's programs.claude-code sees the
  # real Claude Code version.
  wrapClaude =
    pkgs: package: url:
    pkgs.symlinkJoin {
      inherit (package) name;
      version = lib.getVersion package;
      paths = [ package ];
      nativeBuildInputs = [ pkgs.makeWrapper ];
      postBuild = ''
        wrapProgram "$out/bin/${package.meta.mainProgram or "claude"}" \
          --set-default ANTHROPIC_BASE_URL ${lib.escapeShellArg url}
      '';
      meta = package.meta or { };
      passthru = {
        unwrapped = package;
        claudeApiProxyWrapper = true;
      };
    };

  # Packages of a package list that bring their own `claude` (anything but this module's wrapper):
  # installed beside the wrapper, the profile would hold two bin/claude.
  otherClaudes = lib.filter (
    p:
    !(p.claudeApiProxyWrapper or false)
    && (p.meta.mainProgram or null == "claude" || (p.pname or null) == "claude-code")
  );
}
