# home-manager module: services.claude-api-proxy.
#
# Installs, configures, validates and starts the proxy as a systemd user service (a launchd agent
# on Darwin) and points Claude Code at it. This replaces the seed's setup-claude-proxy.sh: no
# hand-written unit, no sed edit of a wrapper; disabling the module is the rollback.
{
  config,
  options,
  lib,
  pkgs,
  ...
}:

let
  common = import ./common.nix { inherit lib; };

  cfg = config.services.claude-api-proxy;
  cc = cfg.claudeCode;
  inherit (pkgs.stdenv.hostPlatform) isLinux isDarwin;

  # Older home-manager has no programs.claude-code; every use below is guarded by this.
  hasClaudeCodeModule = options ? programs.claude-code.settings;
  claudeCodeEnabled = hasClaudeCodeModule && config.programs.claude-code.enable;
  # Whether this module points Claude Code at the proxy at all.
  wiring = cfg.enable && cc.enable;
  # The claude this module wraps and installs itself: only when programs.claude-code is off (when it
  # is on, its own package is wrapped, see `options.programs.claude-code.package` below).
  ownClaude = wiring && !claudeCodeEnabled && cc.finalPackage != null;
  # The bin/claude the profile gets from this module or from programs.claude-code.
  installedClaudes =
    lib.optional ownClaude cc.finalPackage
    ++ lib.optional (
      wiring && claudeCodeEnabled && config.programs.claude-code.package != null
    ) config.programs.claude-code.finalPackage;
  strayClaudes = lib.filter (p: !lib.elem p.outPath (map (c: c.outPath) installedClaudes)) (
    common.otherClaudes config.home.packages
  );

  # VS Code and its forks whose home-manager module can carry Claude Code's extension settings.
  editors = lib.filter (name: options ? programs.${name}.profiles) [
    "vscode"
    "vscodium"
  ];
  enabledEditors = lib.filter (name: config.programs.${name}.enable) editors;

  configFile = common.configFile pkgs cfg cfg.settings;
  exe = lib.getExe cfg.package;
  serveArgs = [
    "serve"
    "--config"
    "${configFile}"
  ]
  ++ cfg.extraArgs;

  writableDirs = map common.unitPath [
    cfg.settings.telemetry.dir
    cfg.settings.state.dir
  ];

  apiKeyEnv = lib.optionalAttrs (cfg.apiKeyFile != null) {
    ANTHROPIC_API_KEY_FILE = common.runtimeDirToSpecifier cfg.apiKeyFile;
  };

  dashboardCommand = [
    exe
    "stats"
    "--config"
    "${configFile}"
    "--dashboard-json"
    cfg.dashboard.dir
  ];
in
{
  # One key however often the module is imported (flake output, `import`, both): the module system
  # then loads it once instead of declaring every option twice.
  key = "claude-api-proxy/nix/hm-module.nix";
  _file = ./hm-module.nix;

  # Wraps programs.claude-code's package, whoever defines it, without a second definition (which
  # would clash with the user's): a declaration that adds only `apply` merges with
  # home-manager's. On a home-manager without programs.claude-code it declares an option nothing
  # reads.
  options.programs.claude-code.package = lib.mkOption {
    apply =
      package:
      if wiring && claudeCodeEnabled && package != null && !(package.claudeApiProxyWrapper or false) then
        common.wrapClaude pkgs package cfg.baseUrl
      else
        package;
  };

  options.services.claude-api-proxy =
    common.mkCoreOptions {
      yamlType = (pkgs.formats.yaml { }).type;
      defaultPackage = pkgs.callPackage ./package.nix { };
      dirs = {
        telemetry = "${config.xdg.dataHome}/nixos-ai-stack/telemetry";
        telemetryText = lib.literalExpression ''"''${config.xdg.dataHome}/nixos-ai-stack/telemetry"'';
        state = "${config.xdg.stateHome}/claude-api-proxy";
        stateText = lib.literalExpression ''"''${config.xdg.stateHome}/claude-api-proxy"'';
      };
    }
    // {
      enable = lib.mkEnableOption "claude-api-proxy, a local gateway for Claude Code";

      claudeCode = {
        enable = lib.mkOption {
          type = lib.types.bool;
          default = true;
          example = false;
          description = ''
            Whether to point Claude Code at the proxy. With `programs.claude-code` enabled, its
            package is wrapped and its `settings.env` set; else `claudeCode.package`, when set, is
            wrapped and installed; else no Claude Code is installed and only the environment is
            set (`sessionVariables`, `vscode`), for a `claude` installed another way.
          '';
        };
        package = lib.mkPackageOption pkgs "claude-code" {
          nullable = true;
          default = null;
          example = [ "claude-code" ];
          extraDescription = ''
            The Claude Code to wrap and install when `programs.claude-code` is off (with it on, set
            `programs.claude-code.package`: that one is wrapped). `null` (the default) installs no
            Claude Code: nixpkgs' `claude-code` is unfree, and many install `claude` with npm.
          '';
        };
        finalPackage = lib.mkOption {
          type = lib.types.nullOr lib.types.package;
          readOnly = true;
          description = "`claudeCode.package` with `ANTHROPIC_BASE_URL` set to `baseUrl` by default (same `version` and `meta`).";
        };
        settingsEnv = lib.mkOption {
          type = lib.types.bool;
          default = claudeCodeEnabled;
          defaultText = lib.literalExpression "config.programs.claude-code.enable";
          description = ''
            Whether to set `env.ANTHROPIC_BASE_URL` in `~/.claude/settings.json` (through
            `programs.claude-code.settings`). Claude Code lets that file beat the shell, so this
            also covers `claude` started outside the wrapper (IDE extensions, other installs).
          '';
        };
        vscode = lib.mkOption {
          type = lib.types.bool;
          default = enabledEditors != [ ];
          defaultText = lib.literalExpression "config.programs.vscode.enable || config.programs.vscodium.enable";
          description = "Whether to set `ANTHROPIC_BASE_URL` in `claudeCode.environmentVariables` of the VS Code / VSCodium Claude Code extension (`programs.vscode`/`programs.vscodium`, default profile).";
        };
        sessionVariables = lib.mkOption {
          type = lib.types.bool;
          default = true;
          example = false;
          description = "Whether to export `ANTHROPIC_BASE_URL` in login shells (`home.sessionVariables`), for a `claude` this module does not wrap.";
        };
      };

      dashboard = {
        enable = lib.mkEnableOption "a timer that writes the old system dashboard's token-savings.json and telemetry.json";
        dir = lib.mkOption {
          type = lib.types.str;
          default = "${config.xdg.dataHome}/nixos-system-dashboard";
          defaultText = lib.literalExpression ''"''${config.xdg.dataHome}/nixos-system-dashboard"'';
          description = "Directory the dashboard serves as /data.";
        };
        onCalendar = lib.mkOption {
          type = lib.types.str;
          default = "*:0/5";
          description = "When to refresh the files (systemd calendar event; Darwin refreshes every 5 minutes).";
        };
      };
    };

  config = lib.mkMerge [
    {
      # Read-only values other modules may use, whether or not the service is enabled.
      services.claude-api-proxy.baseUrl = common.baseUrl cfg.settings.listen;
      services.claude-api-proxy.claudeCode.finalPackage =
        if cc.package == null then null else common.wrapClaude pkgs cc.package cfg.baseUrl;
    }

    (lib.mkIf cfg.enable (
      lib.mkMerge [
        {
          assertions =
            common.coreAssertions "services.claude-api-proxy" cfg
            ++ [
              {
                assertion = !(wiring && cc.package != null && claudeCodeEnabled);
                message = "services.claude-api-proxy.claudeCode.package is installed only while programs.claude-code is off; with programs.claude-code on, its package is the one wrapped: set programs.claude-code.package = <the package> and remove claudeCode.package.";
              }
              {
                assertion = installedClaudes == [ ] || strayClaudes == [ ];
                message = "home.packages holds ${
                  lib.concatMapStringsSep ", " lib.getName strayClaudes
                }, a second bin/claude beside the one pointed at the proxy; remove it from home.packages (set ${
                  if claudeCodeEnabled then "programs.claude-code.package" else "services.claude-api-proxy.claudeCode.package"
                } to it instead).";
              }
              {
                assertion = !(cc.enable && cc.settingsEnv) || claudeCodeEnabled;
                message = "services.claude-api-proxy.claudeCode.settingsEnv writes programs.claude-code.settings.env, so it needs programs.claude-code.enable = true (home-manager 25.11 or later).";
              }
              {
                assertion = !(cc.enable && cc.vscode) || enabledEditors != [ ];
                message = "services.claude-api-proxy.claudeCode.vscode needs programs.vscode or programs.vscodium to be enabled.";
              }
              {
                assertion = isLinux || cfg.apiKeyFile == null || !lib.hasInfix "$" cfg.apiKeyFile && !lib.hasInfix "%" cfg.apiKeyFile;
                message = "services.claude-api-proxy.apiKeyFile: launchd expands no variables; give an absolute path on Darwin.";
              }
              (lib.hm.assertions.assertPlatform "services.claude-api-proxy" pkgs (
                lib.platforms.linux ++ lib.platforms.darwin
              ))
            ];

          # The same file the service runs with, at the default path, so `claude-api-proxy …` run by
          # hand (check-config, stats) sees the same settings.
          xdg.configFile."claude-api-proxy/config.yaml".source = configFile;
        }

        (lib.mkIf isLinux {
          systemd.user.services.claude-api-proxy = {
            Unit.Description = "claude-api-proxy: local gateway for Claude Code";
            Service = common.sandbox writableDirs // {
              Type = "exec";
              # The config's store path is in ExecStart: a changed setting changes the unit, and
              # home-manager restarts it on switch.
              ExecStart = lib.concatMapStringsSep " " common.literalWord ([ exe ] ++ serveArgs);
              # "+": runs outside the sandbox, which needs the writable directories to exist.
              ExecStartPre = "+${pkgs.coreutils}/bin/mkdir -p -m 0700 ${lib.concatMapStringsSep " " common.unitWord writableDirs}";
              # Quoted so values may hold spaces; specifiers (%t, %h) are expanded by systemd.
              Environment = lib.mapAttrsToList (name: value: builtins.toJSON "${name}=${value}") (
                cfg.environment // apiKeyEnv
              );
              # The proxy must never route to itself, whatever the session exported.
              UnsetEnvironment = "ANTHROPIC_BASE_URL";
              ProtectHome = "read-only";
              Restart = "on-failure";
              RestartSec = 2;
            };
            Install.WantedBy = [ "default.target" ];
          };
        })

        (lib.mkIf isDarwin {
          launchd.agents.claude-api-proxy = {
            enable = true;
            config = {
              ProgramArguments = [ exe ] ++ serveArgs;
              EnvironmentVariables = cfg.environment // apiKeyEnv;
              RunAtLoad = true;
              KeepAlive.SuccessfulExit = false;
              ProcessType = "Background";
              StandardErrorPath = "${config.home.homeDirectory}/Library/Logs/claude-api-proxy.log";
              StandardOutPath = "${config.home.homeDirectory}/Library/Logs/claude-api-proxy.log";
            };
          };
        })

        (lib.mkIf (cfg.dashboard.enable && isLinux) {
          systemd.user.services.claude-api-proxy-dashboard = {
            Unit.Description = "claude-api-proxy: refresh the system dashboard's data files";
            Service = common.sandbox [ cfg.dashboard.dir ] // {
              Type = "oneshot";
              ExecStartPre = "+${pkgs.coreutils}/bin/mkdir -p ${common.unitWord cfg.dashboard.dir}";
              ExecStart = lib.concatMapStringsSep " " common.literalWord dashboardCommand;
              ProtectHome = "read-only";
              UMask = "0022"; # the dashboard's web server reads these files
            };
          };
          systemd.user.timers.claude-api-proxy-dashboard = {
            Unit.Description = "claude-api-proxy: refresh the system dashboard's data files";
            Timer = {
              OnCalendar = cfg.dashboard.onCalendar;
              Persistent = true;
            };
            Install.WantedBy = [ "timers.target" ];
          };
        })

        (lib.mkIf (cfg.dashboard.enable && isDarwin) {
          launchd.agents.claude-api-proxy-dashboard = {
            enable = true;
            config = {
              ProgramArguments = dashboardCommand;
              StartInterval = 300;
              RunAtLoad = true;
            };
          };
        })

        {
          # The command the docs tell users to run (doctor, stats, explain), with this config.
          home.packages = [ cfg.package ] ++ lib.optional ownClaude cc.finalPackage;
        }

        (lib.mkIf (cc.enable && cc.sessionVariables) {
          home.sessionVariables.ANTHROPIC_BASE_URL = cfg.baseUrl;
        })
      ]
    ))

    # Definitions of options other modules may not declare: added only when they exist.
    (lib.optionalAttrs hasClaudeCodeModule {
      programs.claude-code.settings.env.ANTHROPIC_BASE_URL = lib.mkIf (wiring && cc.settingsEnv) cfg.baseUrl;
    })

    (lib.optionalAttrs (editors != [ ]) {
      programs = lib.genAttrs editors (
        name:
        lib.mkIf (wiring && cc.vscode && config.programs.${name}.enable) {
          profiles.default.userSettings."claudeCode.environmentVariables" = [
            {
              name = "ANTHROPIC_BASE_URL";
              value = cfg.baseUrl;
            }
          ];
        }
      );
    })
  ];
}
