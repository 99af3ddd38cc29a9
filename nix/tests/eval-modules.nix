# Evaluation harness for the modules against real home-manager core modules and nixpkgs' lib,
# with the stand-in pkgs of ./stub-pkgs. Driven by ./eval-modules.sh; see docs/nix.md.
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
  # Evaluate with every home-manager module instead of its core (minimal = true) plus the few
  # modules the wiring talks to.
  fullModuleSet ? false,
  # A file with one package name per line (eval-modules.sh lists what home-manager's modules name).
  extraPackageNames ? null,
}:

let
  lib = import (nixpkgsLib + "/lib");
  extraNames =
    if extraPackageNames == null then
      [ ]
    else
      lib.filter (n: n != "") (lib.splitString "\n" (builtins.readFile extraPackageNames));
  pkgs = import ./stub-pkgs {
    inherit lib cli system extraNames;
    path = nixpkgsPath;
  };
  darwinPkgs = import ./stub-pkgs {
    inherit lib cli extraNames;
    path = nixpkgsPath;
    system = "aarch64-darwin";
  };

  # ---------------------------------------------------------------- home-manager
  evalHome =
    {
      modules,
      darwin ? false,
      extraModules ? [ ],
      # Every home-manager module (as a real configuration loads them), or its core only.
      full ? fullModuleSet,
    }:
    let
      casePkgs = if darwin then darwinPkgs else pkgs;
    in
    import (homeManager + "/modules") {
      inherit lib;
      pkgs = casePkgs;
      minimal = !full;
      configuration = {
        imports = [
          ../hm-module.nix
        ]
        ++ lib.optional (!full) fishStub
        ++ lib.optionals (!full) extraModules
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
      o = hm.options;
      cfg = c.services.claude-api-proxy;
      unit = c.systemd.user.services.claude-api-proxy or null;
      hasClaudeCode = o ? programs.claude-code.settings;
    in
    {
      baseUrl = cfg.baseUrl;
      unit = unit;
      unitFiles = lib.filter (lib.hasInfix "claude-api-proxy") (builtins.attrNames c.xdg.configFile);
      settings = cfg.settings;
      homePackages = map (p: p.name) c.home.packages;
      # Every bin/claude the profile gets, and whether each is the wrapper.
      claudeBinaries = map (p: {
        name = p.name;
        wrapped = p.claudeApiProxyWrapper or false;
      }) (lib.filter (p: p.meta.mainProgram or null == "claude") c.home.packages);
      cliOnPath = lib.any (p: (p.pname or null) == "claude-api-proxy") c.home.packages;
      claudeCodePackage =
        if hasClaudeCode then
          {
            enable = c.programs.claude-code.enable;
            package =
              if c.programs.claude-code.package == null then
                null
              else
                {
                  name = c.programs.claude-code.package.name;
                  wrapped = c.programs.claude-code.package.claudeApiProxyWrapper or false;
                  version = lib.getVersion c.programs.claude-code.package;
                };
            settingsEnv = c.programs.claude-code.settings.env or null;
          }
        else
          "programs.claude-code not imported";
      vscode =
        if o ? programs.vscode.profiles then
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
      wrappers = lib.filter (p: p.claudeApiProxyWrapper or false) (
        c.home.packages ++ lib.optional (hm.options ? programs.claude-code.settings && c.programs.claude-code.package != null) c.programs.claude-code.package
      );
      unitSource = c.xdg.configFile."systemd/user/claude-api-proxy.service".source;
    in
    pkgs.runCommand "claude-api-proxy-hm-files" { } ''
      mkdir $out
      cp ${unitSource} $out/claude-api-proxy.service
      cp ${c.xdg.configFile."claude-api-proxy/config.yaml".source} $out/config.yaml
      ln -s ${c.xdg.configFile."claude-api-proxy/config.yaml".source} $out/config-in-store
      ${lib.optionalString (wrappers != [ ]) ''
        cp ${lib.head wrappers}/bin/claude $out/claude-wrapper
        ls -lA ${lib.head wrappers}/bin > $out/claude-wrapper-bin
      ''}
    '';

  base = {
    services.claude-api-proxy.enable = true;
  };
  claudeCodeOn = {
    programs.claude-code.enable = true;
  };

  hmCases = {
    # Defaults only: what `enable = true` gives, with no allowUnfree and no Claude Code installed.
    default = {
      modules = [ base ];
    };
    # programs.claude-code on with its default package: that package is wrapped, settings.json
    # gets env.ANTHROPIC_BASE_URL.
    claude-code-module = {
      extraModules = [ claudeCodeModule ];
      modules = [
        base
        claudeCodeOn
      ];
    };
    # The user's own programs.claude-code.package: wrapped, no "defined multiple times".
    claude-code-user-package = {
      extraModules = [ claudeCodeModule ];
      modules = [
        base
        claudeCodeOn
        { programs.claude-code.package = pkgs.claude-code-npm; }
      ];
    };
    # programs.claude-code off, claudeCode.package set: that one is wrapped and installed.
    own-package = {
      modules = [
        base
        { services.claude-api-proxy.claudeCode.package = pkgs.claude-code; }
      ];
    };
    # The module imported twice, as a path and as the flake exports it (`import`).
    imported-twice = {
      modules = [
        base
        (import ../hm-module.nix)
        ../hm-module.nix
      ];
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
    wrong-type-relative-dir = {
      modules = [ { services.claude-api-proxy.settings.telemetry.dir = "telemetry"; } ];
      expect = "settings.telemetry.dir' is not of type";
    };
    read-only-baseUrl = {
      modules = [ { services.claude-api-proxy.baseUrl = "http://example.invalid:1"; } ];
      expect = "baseUrl' is read-only";
    };
    bind-all-without-token = {
      modules = [ { services.claude-api-proxy.settings.listen.host = "0.0.0.0"; } ];
      expect = "set services.claude-api-proxy.settings.auth.tokenFile";
    };
    port-zero = {
      modules = [ { services.claude-api-proxy.settings.listen.port = 0; } ];
      expect = "picks a random port, which clients cannot find; choose a port";
    };
    extraArgs-port = {
      modules = [ { services.claude-api-proxy.extraArgs = [ "--port" "8095" ]; } ];
      expect = "extraArgs contains --port, which the service would use while Claude Code is pointed at what settings say; remove it and set services.claude-api-proxy.settings.listen.port";
    };
    extraArgs-host = {
      modules = [ { services.claude-api-proxy.extraArgs = [ "--host=0.0.0.0" ]; } ];
      expect = "extraArgs contains --host";
    };
    extraArgs-config = {
      modules = [ { services.claude-api-proxy.extraArgs = [ "-c" "/etc/other.yaml" ]; } ];
      expect = "extraArgs contains -c";
    };
    environment-port = {
      modules = [ { services.claude-api-proxy.environment.PROXY_PORT = "8095"; } ];
      expect = "environment.PROXY_PORT overrides settings.listen.port behind the module's back";
    };
    environment-host = {
      modules = [ { services.claude-api-proxy.environment.PROXY_HOST = "0.0.0.0"; } ];
      expect = "set services.claude-api-proxy.settings.listen.host instead";
    };
    environment-key-file = {
      modules = [ { services.claude-api-proxy.environment.ANTHROPIC_API_KEY_FILE = "/run/key"; } ];
      expect = "set services.claude-api-proxy.apiKeyFile instead";
    };
    environment-base-url = {
      modules = [ { services.claude-api-proxy.environment.ANTHROPIC_BASE_URL = "http://gw:1"; } ];
      expect = "would make the proxy call itself";
    };
    key-in-environment = {
      modules = [ { services.claude-api-proxy.environment.ANTHROPIC_API_KEY = "sk-ant-not-a-key"; } ];
      expect = "environment.ANTHROPIC_API_KEY would put the key";
    };
    key-file-in-store = {
      modules = [ { services.claude-api-proxy.apiKeyFile = "${builtins.storeDir}/abc-key"; } ];
      expect = "apiKeyFile = \"${builtins.storeDir}/abc-key\" points into the Nix store";
    };
    token-file-in-store = {
      modules = [ { services.claude-api-proxy.settings.auth.tokenFile = "${builtins.storeDir}/abc-token"; } ];
      expect = "settings.auth.tokenFile = \"${builtins.storeDir}/abc-token\" points into the Nix store";
    };
    remote-key-file-in-store = {
      modules = [ { services.claude-api-proxy.settings.remote.apiKeyFile = "${builtins.storeDir}/abc-key"; } ];
      expect = "settings.remote.apiKeyFile = \"${builtins.storeDir}/abc-key\" points into the Nix store";
    };
    relative-token-file = {
      modules = [ { services.claude-api-proxy.settings.auth.tokenFile = "secrets/token"; } ];
      expect = "settings.auth.tokenFile = \"secrets/token\" is relative";
    };
    relative-key-file = {
      modules = [ { services.claude-api-proxy.apiKeyFile = "anthropic-key"; } ];
      expect = "apiKeyFile = \"anthropic-key\" is relative";
    };
    two-key-files = {
      modules = [
        {
          services.claude-api-proxy.apiKeyFile = "/run/a";
          services.claude-api-proxy.settings.remote.apiKeyFile = "/run/b";
        }
      ];
      expect = "are both set, and apiKeyFile wins; remove one of them";
    };
    thresholds-reversed = {
      modules = [ { services.claude-api-proxy.settings.routing.simpleQueryTokens = 5000; } ];
      expect = "simpleQueryTokens must be at most";
    };
    settingsEnv-without-claude-code = {
      modules = [ { services.claude-api-proxy.claudeCode.settingsEnv = true; } ];
      expect = "needs programs.claude-code.enable = true";
    };
    vscode-without-editor = {
      modules = [ { services.claude-api-proxy.claudeCode.vscode = true; } ];
      expect = "needs programs.vscode or programs.vscodium";
    };
    own-package-with-claude-code-module = {
      extraModules = [ claudeCodeModule ];
      modules = [
        claudeCodeOn
        { services.claude-api-proxy.claudeCode.package = pkgs.claude-code; }
      ];
      expect = "set programs.claude-code.package = <the package> and remove claudeCode.package";
    };
    second-claude-in-home-packages = {
      modules = [
        {
          services.claude-api-proxy.claudeCode.package = pkgs.claude-code;
          home.packages = [ pkgs.claude-code-npm ];
        }
      ];
      expect = "home.packages holds claude-code-npm, a second bin/claude";
    };
    second-claude-beside-claude-code-module = {
      extraModules = [ claudeCodeModule ];
      modules = [
        claudeCodeOn
        { home.packages = [ pkgs.claude-code ]; }
      ];
      expect = "remove it from home.packages (set programs.claude-code.package to it instead)";
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
        environment.etc = loose;
        environment.sessionVariables = lib.mkOption {
          type = lib.types.attrsOf lib.types.str;
          default = { };
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
      service = c.systemd.services.claude-api-proxy or null;
    in
    {
      inherit (c.services.claude-api-proxy) baseUrl;
      systemService = service;
      userService = c.systemd.user.services.claude-api-proxy or null;
      users = builtins.attrNames c.users.users;
      tmpfiles = c.systemd.tmpfiles.rules;
      firewall = c.networking.firewall.allowedTCPPorts;
      systemPackages = map (p: p.name) c.environment.systemPackages;
      sessionVariables = c.environment.sessionVariables;
      etc = builtins.attrNames c.environment.etc;
      inherit (c) warnings;
    };

  nixosBase = {
    services.claude-api-proxy = {
      enable = true;
      users = [ "alice" ];
    };
  };
  teamHost = {
    services.claude-api-proxy = {
      enable = true;
      mode = "system";
      settings.listen.host = "0.0.0.0";
      settings.auth.tokenFile = "/home/admin/claude-proxy-token";
    };
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
          claudeCode = {
            enable = true;
            package = pkgs.claude-code;
          };
        };
      }
    ];
    # claudeCode on without a package: only the session environment.
    per-user-no-claude = [
      nixosBase
      { services.claude-api-proxy.claudeCode.enable = true; }
    ];
    # A token under /home reaches the service through LoadCredential despite ProtectHome.
    team-host = [
      teamHost
      {
        services.claude-api-proxy = {
          openFirewall = true;
          apiKeyFile = "/run/secrets/anthropic-api-key";
        };
      }
    ];
    imported-twice = [
      nixosBase
      (import ../nixos-module.nix)
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
    users-in-system-mode = {
      modules = [
        teamHost
        { services.claude-api-proxy.users = [ "alice" ]; }
      ];
      expect = "users is only for mode = \"user\"";
    };
    open-firewall-in-user-mode = {
      modules = [
        nixosBase
        { services.claude-api-proxy.openFirewall = true; }
      ];
      expect = "openFirewall opens a port nothing outside can reach";
    };
    open-firewall-on-loopback = {
      modules = [
        teamHost
        {
          services.claude-api-proxy.openFirewall = true;
          services.claude-api-proxy.settings.listen.host = lib.mkForce "127.0.0.1";
        }
      ];
      expect = "it needs mode = \"system\" and settings.listen.host beyond loopback";
    };
    home-path-in-system-mode = {
      modules = [
        teamHost
        { services.claude-api-proxy.settings.auth.tokenFile = lib.mkForce "~/token"; }
      ];
      expect = "has no home directory for ~/ or %h in the secret paths";
    };
    second-claude-in-system-packages = {
      modules = [
        nixosBase
        {
          services.claude-api-proxy.claudeCode = {
            enable = true;
            package = pkgs.claude-code;
          };
          environment.systemPackages = [ pkgs.claude-code-npm ];
        }
      ];
      expect = "environment.systemPackages holds claude-code-npm, a second bin/claude";
    };
    extraArgs-port = {
      modules = [
        nixosBase
        { services.claude-api-proxy.extraArgs = [ "-p" "1" ]; }
      ];
      expect = "extraArgs contains -p";
    };
    token-file-in-store = {
      modules = [
        teamHost
        { services.claude-api-proxy.settings.auth.tokenFile = lib.mkForce "${builtins.storeDir}/t"; }
      ];
      expect = "points into the Nix store";
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
  hmSummaries = lib.mapAttrs (_: case: summarize (evalHome case)) hmCases;
  hmNegative = lib.mapAttrs (
    _: c: summarize (evalHome { inherit (c) modules; extraModules = c.extraModules or [ ]; })
  ) hmNegative;
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
  # Built by eval-modules.sh: the checked YAML each NixOS case runs with.
  nixosConfig = lib.mapAttrs (_: modules: (evalNixos modules).config.services.claude-api-proxy.configFile) nixosCases;
  nixosNegative = lib.mapAttrs (_: c: summarizeNixos (evalNixos c.modules)) nixosNegative;
  nixosNegativeExpect = lib.mapAttrs (_: c: c.expect) nixosNegative;
}
