# What the home-manager module and the NixOS module share: the options that mirror the program's
# configuration schema (src/config/schema.ts), the rendered and validated YAML file, the service
# sandbox and the Claude Code wrapper. Only `lib` is needed to import it, so the option
# declarations can be evaluated without nixpkgs (nix/tests/ci.sh does).
{ lib }:

let
  inherit (lib) literalExpression mkOption types;

  # A section of the YAML file: typed well-known keys, anything else passes through as freeform
  # YAML (the program rejects unknown keys, and check-config runs at build time).
  section =
    yamlType: description: options:
    mkOption {
      type = types.submodule {
        freeformType = yamlType;
        inherit options;
      };
      default = { };
      inherit description;
    };

  # Same pattern as the schema's HttpUrl.
  httpUrl = types.strMatching "https?://[^[:space:]]+";
  # Absolute, or under the home directory (the program expands a leading ~/).
  directory = types.strMatching "(/|~/).+";
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
        defaultText = literalExpression "claude-api-proxy built with your pkgs (nix/package.nix)";
        description = "The claude-api-proxy package to run.";
      };

      settings = mkOption {
        default = { };
        description = ''
          Configuration of claude-api-proxy, written to a YAML file and checked with
          `claude-api-proxy check-config` at build time (a bad value fails the switch).
          Keys are those of the program's schema; only the common ones are declared here, the others
          (e.g. `routing.rules`, `local.model`, `remote.url`, `pricing`, `log.level`) are passed
          through as they are. See docs/configuration.md for every key.
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
          options = {
            listen = section yamlType "The HTTP listener." {
              host = mkOption {
                type = types.nonEmptyStr;
                default = "127.0.0.1";
                description = "Address to bind. Anything but loopback requires `auth.tokenFile`.";
              };
              port = mkOption {
                type = types.port;
                default = 8094;
                description = "TCP port.";
              };
            };
            auth = section yamlType "Inbound access control." {
              tokenFile = mkOption {
                type = types.nullOr types.nonEmptyStr;
                default = null;
                description = ''
                  File holding the token clients must send (`x-api-key` or `Authorization: Bearer`).
                  Read by the program at start; required when `listen.host` is not loopback.
                '';
              };
            };
            routing = section yamlType "The routing policy." {
              basis = mkOption {
                type = types.enum [
                  "query"
                  "conversation"
                  "request"
                ];
                default = "query";
                description = "Which token estimate the thresholds apply to.";
              };
              simpleQueryTokens = mkOption {
                type = types.ints.unsigned;
                default = 100;
                description = "Below this estimate a request is simple: local.";
              };
              complexQueryTokens = mkOption {
                type = types.ints.unsigned;
                default = 3000;
                description = "Above this estimate a request is complex: remote.";
              };
              maxTokensRemote = mkOption {
                type = types.ints.unsigned;
                default = 2000;
                description = "A `max_tokens` above this asks for a long answer: remote.";
              };
            };
            local = section yamlType "The local backend." {
              enabled = mkOption {
                type = types.bool;
                default = true;
                description = "Use a local backend at all.";
              };
              kind = mkOption {
                type = types.enum [
                  "anthropic"
                  "openai"
                  "coordinator"
                ];
                default = "coordinator";
                description = ''
                  Protocol of the local backend: `anthropic` (native /v1/messages: Ollama, llama.cpp,
                  vLLM, LM Studio), `openai` (/v1/chat/completions) or `coordinator` (the hybrid
                  coordinator's POST /query).
                '';
              };
              url = mkOption {
                type = httpUrl;
                default = "http://localhost:8092";
                description = "Base URL of the local backend (the hybrid coordinator by default).";
              };
            };
            rag = section yamlType "Retrieval (AIDB) for the local route." {
              enabled = mkOption {
                type = types.bool;
                default = true;
                description = "Add AIDB search results to local requests.";
              };
              url = mkOption {
                type = httpUrl;
                default = "http://localhost:8091";
                description = "AIDB base URL.";
              };
            };
            telemetry = section yamlType "Telemetry events." {
              enabled = mkOption {
                type = types.bool;
                default = true;
                description = "Write one JSON line per routed request.";
              };
              dir = mkOption {
                type = directory;
                default = dirs.telemetry;
                defaultText = dirs.telemetryText;
                description = "Directory of the daily events-YYYY-MM-DD.jsonl files (the seed's location).";
              };
              retentionDays = mkOption {
                type = types.ints.between 1 36500;
                default = 90;
                description = "Event files older than this are removed.";
              };
            };
            state = section yamlType "Persistent state." {
              dir = mkOption {
                type = directory;
                default = dirs.state;
                defaultText = dirs.stateText;
                description = "Directory for persistent state (estimate calibration).";
              };
            };
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
        example = [
          "--port"
          "8095"
        ];
        description = "Extra command-line arguments of `claude-api-proxy serve`.";
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

  # Assertions both modules make about the core options.
  coreAssertions = prefix: cfg: [
    {
      assertion = isLoopback cfg.settings.listen.host || cfg.settings.auth.tokenFile != null;
      message = "${prefix}.settings.listen.host = \"${cfg.settings.listen.host}\" is reachable beyond this machine: set ${prefix}.settings.auth.tokenFile so clients need a token.";
    }
    {
      assertion = cfg.settings.listen.port != 0;
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
      assertion = cfg.apiKeyFile == null || !lib.hasPrefix builtins.storeDir cfg.apiKeyFile;
      message = "${prefix}.apiKeyFile points into the Nix store, which every user can read; use a secret manager's path (agenix, sops-nix) or a file outside the store.";
    }
  ];

  # The YAML file, checked by the program itself: an invalid setting fails the build.
  configFile =
    pkgs: cfg:
    let
      raw = (pkgs.formats.yaml { }).generate "claude-api-proxy-unchecked.yaml" cfg.settings;
    in
    pkgs.runCommand "claude-api-proxy.yaml" { } ''
      ${lib.getExe cfg.package} check-config ${raw}
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
      passthru.unwrapped = package;
    };
}
