# NixOS module: services.claude-api-proxy.
#
# Two ways to run it:
# - mode = "user" (default): a systemd user service for each user listed in `users`, each with its
#   own telemetry and state under their home. (home-manager's module gives more per-user control.)
# - mode = "system": one shared service for a team host, under its own user, with its state in
#   /var/lib/claude-api-proxy, an optional firewall opening, and an inbound token required.
{
  config,
  lib,
  pkgs,
  ...
}:

let
  common = import ./common.nix { inherit lib; };

  cfg = config.services.claude-api-proxy;
  system = cfg.mode == "system";
  stateRoot = "/var/lib/claude-api-proxy";

  # mode = "system": systemd hands the secret files over (LoadCredential), so neither ProtectHome
  # nor the service user's rights stand in the way, and the YAML names the copies.
  credentialDir = "/run/credentials/claude-api-proxy.service";
  credentials = lib.filterAttrs (_: c: c.path != null) {
    inbound-token = {
      path = cfg.settings.auth.tokenFile;
      setting = [ "auth" "tokenFile" ];
    };
    remote-api-key = {
      path = cfg.settings.remote.apiKeyFile;
      setting = [ "remote" "apiKeyFile" ];
    };
    local-api-key = {
      path = cfg.settings.local.apiKeyFile;
      setting = [ "local" "apiKeyFile" ];
    };
  };
  renderedSettings =
    if system then
      lib.foldl' (
        settings: name:
        lib.recursiveUpdate settings (lib.setAttrByPath credentials.${name}.setting "${credentialDir}/${name}")
      ) cfg.settings (builtins.attrNames credentials)
    else
      cfg.settings;
  configFile = common.configFile pkgs cfg renderedSettings;
  execStart = lib.concatMapStringsSep " " common.literalWord (
    [
      (lib.getExe cfg.package)
      "serve"
      "--config"
      "${configFile}"
    ]
    ++ cfg.extraArgs
  );
  writableDirs = map common.unitPath [
    cfg.settings.telemetry.dir
    cfg.settings.state.dir
  ];

  serviceCommon = {
    description = "claude-api-proxy: local gateway for Claude Code";
    # The config's store path is in ExecStart: a changed setting changes the unit.
    serviceConfig = common.sandbox writableDirs // {
      Type = "exec";
      ExecStart = execStart;
      # The proxy must never route to itself, whatever the session exported.
      UnsetEnvironment = "ANTHROPIC_BASE_URL";
      Restart = "on-failure";
      RestartSec = 2;
    };
  };
in
{
  # One key however often the module is imported: loaded once, its options declared once.
  key = "claude-api-proxy/nix/nixos-module.nix";
  _file = ./nixos-module.nix;

  options.services.claude-api-proxy =
    common.mkCoreOptions {
      yamlType = (pkgs.formats.yaml { }).type;
      defaultPackage = pkgs.callPackage ./package.nix { };
      # "~/" is expanded by the program, per user; a system service keeps everything in its state directory.
      dirs = {
        telemetry = if system then "${stateRoot}/telemetry" else "~/.local/share/nixos-ai-stack/telemetry";
        telemetryText = lib.literalExpression ''if mode == "system" then "${stateRoot}/telemetry" else "~/.local/share/nixos-ai-stack/telemetry"'';
        state = if system then "${stateRoot}/state" else "~/.local/state/claude-api-proxy";
        stateText = lib.literalExpression ''if mode == "system" then "${stateRoot}/state" else "~/.local/state/claude-api-proxy"'';
      };
    }
    // {
      enable = lib.mkEnableOption "claude-api-proxy, a local gateway for Claude Code";

      mode = lib.mkOption {
        type = lib.types.enum [
          "user"
          "system"
        ];
        default = "user";
        example = "system";
        description = ''
          `user`: a systemd user service for each of `users`. `system`: one shared service under its
          own user (a team host); it requires `settings.auth.tokenFile`.
        '';
      };

      users = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        example = [ "alice" ];
        description = ''
          Users who get the per-user service (mode = "user"). It starts with their user manager:
          at login, or at boot for users with `users.users.<name>.linger = true`. `nixos-rebuild switch`
          does not restart user services: run `systemctl --user restart claude-api-proxy` after a change.
        '';
      };

      openFirewall = lib.mkOption {
        type = lib.types.bool;
        default = false;
        example = true;
        description = "Whether to open `settings.listen.port` in the firewall; only for mode = \"system\" listening beyond loopback (`settings.listen.host`).";
      };

      configFile = lib.mkOption {
        type = lib.types.path;
        readOnly = true;
        description = "The checked YAML the service runs with (in mode = \"system\" naming the credentials systemd hands over); for other modules, or `claude-api-proxy --config` by hand.";
      };

      claudeCode = {
        enable = lib.mkEnableOption "pointing Claude Code at the proxy: `claudeCode.package` wrapped in environment.systemPackages when set, else only `ANTHROPIC_BASE_URL` in the session environment";
        package = lib.mkPackageOption pkgs "claude-code" {
          nullable = true;
          default = null;
          example = [ "claude-code" ];
          extraDescription = "The Claude Code to wrap and install; `null` (the default) installs none (nixpkgs' `claude-code` is unfree).";
        };
        finalPackage = lib.mkOption {
          type = lib.types.nullOr lib.types.package;
          readOnly = true;
          description = "`claudeCode.package` with `ANTHROPIC_BASE_URL` set to `baseUrl` by default (same `version` and `meta`).";
        };
      };
    };

  config = lib.mkMerge [
    {
      services.claude-api-proxy.baseUrl = common.baseUrl cfg.settings.listen;
      services.claude-api-proxy.configFile = configFile;
      services.claude-api-proxy.claudeCode.finalPackage =
        if cfg.claudeCode.package == null then
          null
        else
          common.wrapClaude pkgs cfg.claudeCode.package cfg.baseUrl;
    }

    (lib.mkIf cfg.enable {
      assertions = common.coreAssertions "services.claude-api-proxy" cfg ++ [
        {
          assertion = system || cfg.users != [ ];
          message = "services.claude-api-proxy: list the users who run the proxy in services.claude-api-proxy.users, or set mode = \"system\".";
        }
        {
          assertion = !system || cfg.users == [ ];
          message = "services.claude-api-proxy.users is only for mode = \"user\"; mode = \"system\" runs one service as its own user: remove users (or set mode = \"user\").";
        }
        {
          assertion = !system || cfg.settings.auth.tokenFile != null;
          message = "services.claude-api-proxy: mode = \"system\" is shared by every user of the host, so it needs settings.auth.tokenFile (an inbound token).";
        }
        {
          assertion = !cfg.openFirewall || system && !common.isLoopback cfg.settings.listen.host;
          message = "services.claude-api-proxy.openFirewall opens a port nothing outside can reach: it needs mode = \"system\" and settings.listen.host beyond loopback (e.g. \"0.0.0.0\"), or remove openFirewall.";
        }
        {
          assertion =
            !system
            || !lib.any (path: lib.hasPrefix "~/" path || lib.hasPrefix "%h/" path) (
              lib.mapAttrsToList (_: c: c.path) credentials ++ lib.optional (cfg.apiKeyFile != null) cfg.apiKeyFile
            );
          message = "services.claude-api-proxy: mode = \"system\" has no home directory for ~/ or %h in the secret paths (settings.auth.tokenFile, settings.*.apiKeyFile, apiKeyFile); give absolute paths.";
        }
        {
          assertion = !cfg.claudeCode.enable || common.otherClaudes config.environment.systemPackages == [ ] || cfg.claudeCode.package == null;
          message = "environment.systemPackages holds ${
            lib.concatMapStringsSep ", " lib.getName (common.otherClaudes config.environment.systemPackages)
          }, a second bin/claude beside the one pointed at the proxy; remove it and set services.claude-api-proxy.claudeCode.package to it instead.";
        }
      ];

      # The command the docs tell users to run (doctor, stats, explain).
      environment.systemPackages = [ cfg.package ] ++ lib.optional (cfg.claudeCode.enable && cfg.claudeCode.finalPackage != null) cfg.claudeCode.finalPackage;
      environment.sessionVariables = lib.mkIf (cfg.claudeCode.enable && cfg.claudeCode.package == null) {
        ANTHROPIC_BASE_URL = cfg.baseUrl;
      };
    })

    (lib.mkIf (cfg.enable && !system) {
      # For the CLI run by hand: `claude-api-proxy stats --config /etc/claude-api-proxy/config.yaml`.
      environment.etc."claude-api-proxy/config.yaml".source = configFile;

      systemd.user.services.claude-api-proxy = lib.recursiveUpdate serviceCommon {
        wantedBy = [ "default.target" ];
        # "|": triggering conditions, so any one listed user matches.
        unitConfig.ConditionUser = map (user: "|${user}") cfg.users;
        environment =
          cfg.environment
          // lib.optionalAttrs (cfg.apiKeyFile != null) {
            ANTHROPIC_API_KEY_FILE = common.runtimeDirToSpecifier cfg.apiKeyFile;
          };
        serviceConfig = {
          # "+": runs outside the sandbox, which needs the writable directories to exist.
          ExecStartPre = "+${pkgs.coreutils}/bin/mkdir -p -m 0700 ${lib.concatMapStringsSep " " common.unitWord writableDirs}";
          ProtectHome = "read-only";
        };
      };
    })

    (lib.mkIf (cfg.enable && system) {
      users.users.claude-api-proxy = {
        isSystemUser = true;
        group = "claude-api-proxy";
        home = stateRoot;
      };
      users.groups.claude-api-proxy = { };

      systemd.tmpfiles.rules = map (dir: "d ${dir} 0700 claude-api-proxy claude-api-proxy - -") writableDirs;

      systemd.services.claude-api-proxy = lib.recursiveUpdate serviceCommon {
        wantedBy = [ "multi-user.target" ];
        after = [ "network-online.target" ];
        wants = [ "network-online.target" ];
        # The key is handed over by systemd (LoadCredential): the service user needs no access to
        # the secret file, and the key stays out of the store and the unit.
        environment =
          cfg.environment
          // lib.optionalAttrs (cfg.apiKeyFile != null) {
            ANTHROPIC_API_KEY_FILE = "%d/anthropic-api-key";
          };
        serviceConfig = {
          User = "claude-api-proxy";
          Group = "claude-api-proxy";
          StateDirectory = "claude-api-proxy";
          StateDirectoryMode = "0700";
          LoadCredential =
            lib.mapAttrsToList (name: c: "${name}:${c.path}") credentials
            ++ lib.optional (cfg.apiKeyFile != null) "anthropic-api-key:${cfg.apiKeyFile}";
          ProtectHome = true;
          PrivateUsers = true;
          ProtectProc = "invisible";
          RemoveIPC = true;
        };
      };

      networking.firewall.allowedTCPPorts = lib.mkIf (cfg.openFirewall && !common.isLoopback cfg.settings.listen.host) [
        cfg.settings.listen.port
      ];
    })
  ];
}
