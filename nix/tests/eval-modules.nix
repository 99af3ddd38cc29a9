# Evaluation harness for the modules against real home-manager core modules and nixpkgs' lib,
# with the stand-in pkgs of ./stub-pkgs. Driven by ./eval-modules.sh; see docs/nix.md, "Tests".
#
#   nix-instantiate --eval --strict --json nix/tests/eval-modules.nix \
#     --arg homeManager /path/to/home-manager --arg nixpkgsLib /path/to/nixpkgs.lib \
#     --arg nixpkgsPath /path/to/tree -A hm.default.summary
{
  homeManager,
  nixpkgsLib,
  # What home-manager reads from pkgs.path: a directory with lib/ (nixpkgs.lib's) and nixos/
  # (./stub-pkgs/nixos); eval-modules.sh links one together.
  nixpkgsPath,
  # A command implementing `check-config FILE`; eval-modules.sh passes the program's own validator.
  cli ? null,
  system ? "x86_64-linux",
}:

let
  lib = import (nixpkgsLib + "/lib");
  pkgs = import ./stub-pkgs {
    inherit lib cli system;
    path = nixpkgsPath;
  };
  darwinPkgs = import ./stub-pkgs {
    inherit lib cli;
    path = nixpkgsPath;
    system = "aarch64-darwin";
  };

  # ---------------------------------------------------------------- home-manager
  evalHome =
    {
      modules,
      darwin ? false,
      extraModules ? [ ],
    }:
    let
      casePkgs = if darwin then darwinPkgs else pkgs;
      hm = import (homeManager + "/modules") {
        inherit lib;
        pkgs = casePkgs;
        minimal = true;
        configuration = {
          imports = [
            ../hm-module.nix
            fishStub
          ]
          ++ extraModules
          ++ modules;
          config = {
            # home-manager's nixpkgs module would import pkgs.path again; keep this instance.
            _module.args.pkgs = lib.mkForce casePkgs;
            home = {
              username = "alice";
              homeDirectory = if darwin then "/Users/alice" else "/home/alice";
              stateVersion = "25.11";
            };
          };
        };
      };
    in
    hm;

  # minimal = true imports modules that define programs.fish.* without the fish module: accept
  # and ignore those definitions.
  fishStub = {
    options.programs.fish = lib.mkOption {
      type = lib.types.lazyAttrsOf (
        lib.mkOptionType {
          name = "ignored";
          merge = _loc: defs: map (def: def.value) defs;
        }
      );
      default = { };
    };
  };

  # Modules that minimal = true leaves out but the wiring talks to.
  claudeCodeModule = homeManager + "/modules/programs/claude-code";
  vscodeModule = homeManager + "/modules/programs/vscode";

  summarize =
    hm:
    let
      c = hm.config;
      cfg = c.services.claude-api-proxy;
      unit = c.systemd.user.services.claude-api-proxy or null;
    in
    {
      baseUrl = cfg.baseUrl;
      unit = unit;
      unitFiles = lib.filter (lib.hasInfix "claude-api-proxy") (builtins.attrNames c.xdg.configFile);
      settings = cfg.settings;
      homePackages = map (p: p.name) c.home.packages;
      claudeCodePackage =
        if c ? programs.claude-code then
          {
            enable = c.programs.claude-code.enable;
            package = if c.programs.claude-code.package == null then null else c.programs.claude-code.package.name;
            version = lib.getVersion c.programs.claude-code.package;
            settingsEnv = c.programs.claude-code.settings.env or null;
          }
        else
          "programs.claude-code not imported";
      vscode =
        if c ? programs.vscode then
          c.programs.vscode.profiles.default.userSettings."claudeCode.environmentVariables" or null
        else
          null;
      sessionVariables = c.home.sessionVariables.ANTHROPIC_BASE_URL or null;
      launchd = lib.mapNullable (lib.filterAttrs (_: v: v != null)) (
        c.launchd.agents.claude-api-proxy.config or null
      );
      dashboard = {
        service = c.systemd.user.services.claude-api-proxy-dashboard or null;
        timer = c.systemd.user.timers.claude-api-proxy-dashboard or null;
      };
      warnings = c.warnings;
    };

  # Built by eval-modules.sh: the files as home-manager would install them.
  files =
    hm:
    let
      c = hm.config;
      cc = c.services.claude-api-proxy.claudeCode;
      unitSource = c.xdg.configFile."systemd/user/claude-api-proxy.service".source;
    in
    pkgs.runCommand "claude-api-proxy-hm-files" { } ''
      mkdir $out
      cp ${unitSource} $out/claude-api-proxy.service
      cp ${c.xdg.configFile."claude-api-proxy/config.yaml".source} $out/config.yaml
      ln -s ${c.xdg.configFile."claude-api-proxy/config.yaml".source} $out/config-in-store
      ${lib.optionalString (cc.finalPackage != null) ''
        cp ${cc.finalPackage}/bin/claude $out/claude-wrapper
        ls -lA ${cc.finalPackage}/bin > $out/claude-wrapper-bin
      ''}
    '';

  base = {
    services.claude-api-proxy.enable = true;
  };

  hmCases = {
    # Defaults only: what `enable = true` gives.
    default = {
      modules = [ base ];
    };
    # User settings over defaults, the secret path, the Claude Code wiring through programs.claude-code.
    custom = {
      extraModules = [
        claudeCodeModule
        vscodeModule
      ];
      modules = [
        base
        {
          services.claude-api-proxy = {
            settings = {
              listen.port = 8095;
              routing.simpleQueryTokens = 200;
              local = {
                kind = "openai";
                url = "http://127.0.0.1:8080";
                model = "qwen2.5-coder-7b";
              };
              log.level = "debug";
            };
            apiKeyFile = "$XDG_RUNTIME_DIR/agenix/anthropic-api-key";
            environment.AIDB_MCP_URL = "http://127.0.0.1:8091";
            extraArgs = [ "--host" "127.0.0.1" ];
            claudeCode = {
              settingsEnv = true;
              vscode = true;
              sessionVariables = true;
            };
            dashboard.enable = true;
          };
          programs.claude-code.enable = true;
          programs.vscode.enable = true;
        }
      ];
    };
    # Darwin: a launchd agent instead of the systemd unit.
    darwin = {
      darwin = true;
      modules = [
        base
        { services.claude-api-proxy.apiKeyFile = "/Users/alice/.config/anthropic-key"; }
      ];
    };
  };

  # Each must fail with a module error (type error or failed assertion) that contains `expect`.
  hmNegative = lib.mapAttrs (_: c: c // { modules = [ base ] ++ c.modules; }) {
    wrong-type-port = {
      modules = [ { services.claude-api-proxy.settings.listen.port = "8094"; } ];
      expect = "settings.listen.port' is not of type";
    };
    wrong-type-enum = {
      modules = [ { services.claude-api-proxy.settings.local.kind = "ollama"; } ];
      expect = "settings.local.kind' is not of type";
    };
    wrong-type-url = {
      modules = [ { services.claude-api-proxy.settings.rag.url = "localhost:8091"; } ];
      expect = "settings.rag.url' is not of type";
    };
    read-only-baseUrl = {
      modules = [ { services.claude-api-proxy.baseUrl = "http://example.invalid:1"; } ];
      expect = "baseUrl' is read-only";
    };
    bind-all-without-token = {
      modules = [ { services.claude-api-proxy.settings.listen.host = "0.0.0.0"; } ];
      expect = "set services.claude-api-proxy.settings.auth.tokenFile";
    };
    settingsEnv-without-claude-code = {
      modules = [ { services.claude-api-proxy.claudeCode.settingsEnv = true; } ];
      expect = "needs programs.claude-code.enable = true";
    };
    vscode-without-editor = {
      modules = [ { services.claude-api-proxy.claudeCode.vscode = true; } ];
      expect = "needs programs.vscode or programs.vscodium";
    };
    key-in-environment = {
      modules = [ { services.claude-api-proxy.environment.ANTHROPIC_API_KEY = "sk-ant-not-a-key"; } ];
      expect = "environment.ANTHROPIC_API_KEY would put the key";
    };
    key-file-in-store = {
      modules = [ { services.claude-api-proxy.apiKeyFile = "${builtins.storeDir}/abc-key"; } ];
      expect = "apiKeyFile points into the Nix store";
    };
    thresholds-reversed = {
      modules = [ { services.claude-api-proxy.settings.routing.simpleQueryTokens = 5000; } ];
      expect = "simpleQueryTokens must be at most";
    };
  };

  # ---------------------------------------------------------------- NixOS
  # The NixOS options the module defines, declared loosely: enough to see what it generates.
  nixosStub =
    { lib, ... }:
    let
      loose = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
      };
    in
    {
      imports = [ ./stub-pkgs/nixos/modules/misc/assertions.nix ];
      options = {
        systemd.services = loose;
        systemd.user.services = loose;
        systemd.tmpfiles.rules = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ ];
        };
        users.users = loose;
        users.groups = loose;
        networking.firewall.allowedTCPPorts = lib.mkOption {
          type = lib.types.listOf lib.types.port;
          default = [ ];
        };
        environment.systemPackages = lib.mkOption {
          type = lib.types.listOf lib.types.package;
          default = [ ];
        };
      };
    };

  evalNixos =
    modules:
    let
      raw = lib.evalModules {
        modules = [
          nixosStub
          ../nixos-module.nix
          { _module.args.pkgs = pkgs; }
        ]
        ++ modules;
      };
      failed = map (a: a.message) (lib.filter (a: !a.assertion) raw.config.assertions);
    in
    if failed != [ ] then throw "Failed assertions:\n- ${lib.concatStringsSep "\n- " failed}" else raw;

  summarizeNixos =
    os:
    let
      c = os.config;
    in
    {
      inherit (c.services.claude-api-proxy) baseUrl;
      systemService = c.systemd.services.claude-api-proxy or null;
      userService = c.systemd.user.services.claude-api-proxy or null;
      users = builtins.attrNames c.users.users;
      tmpfiles = c.systemd.tmpfiles.rules;
      firewall = c.networking.firewall.allowedTCPPorts;
      systemPackages = map (p: p.name) c.environment.systemPackages;
      inherit (c) warnings;
    };

  nixosCases = {
    per-user = [
      {
        services.claude-api-proxy = {
          enable = true;
          users = [
            "alice"
            "bob"
          ];
          apiKeyFile = "%r/secrets/anthropic-api-key";
          claudeCode.enable = true;
        };
      }
    ];
    team-host = [
      {
        services.claude-api-proxy = {
          enable = true;
          mode = "system";
          openFirewall = true;
          settings.listen.host = "0.0.0.0";
          settings.auth.tokenFile = "/run/secrets/claude-proxy-token";
          apiKeyFile = "/run/secrets/anthropic-api-key";
        };
      }
    ];
  };

  nixosNegative = {
    system-without-token = {
      modules = [
        {
          services.claude-api-proxy = {
            enable = true;
            mode = "system";
          };
        }
      ];
      expect = "needs settings.auth.tokenFile";
    };
    user-mode-without-users = {
      modules = [ { services.claude-api-proxy.enable = true; } ];
      expect = "list the users who run the proxy";
    };
    wrong-type-mode = {
      modules = [
        {
          services.claude-api-proxy = {
            enable = true;
            mode = "shared";
          };
        }
      ];
      expect = "mode' is not of type";
    };
  };
in
{
  hm = lib.mapAttrs (
    _: case:
    let
      hm = evalHome case;
    in
    {
      summary = summarize hm;
      files = files hm;
    }
  ) hmCases;
  hmNegative = lib.mapAttrs (_: c: summarize (evalHome { inherit (c) modules; })) hmNegative;
  hmNegativeExpect = lib.mapAttrs (_: c: c.expect) hmNegative;
  # Evaluates, but the program's check-config rejects the YAML, so the build fails.
  hmBadSetting =
    (evalHome {
      modules = [
        base
        { services.claude-api-proxy.settings.routing.simpleQueryTokenz = 50; }
      ];
    }).config.xdg.configFile."claude-api-proxy/config.yaml".source;

  nixos = lib.mapAttrs (_: modules: summarizeNixos (evalNixos modules)) nixosCases;
  nixosNegative = lib.mapAttrs (_: c: summarizeNixos (evalNixos c.modules)) nixosNegative;
  nixosNegativeExpect = lib.mapAttrs (_: c: c.expect) nixosNegative;
}
