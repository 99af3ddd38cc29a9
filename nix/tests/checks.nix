# Linux checks of the flake (`nix flake check`): home-manager configurations built with the module,
# whose generated unit, YAML and wrapper are inspected, and a NixOS VM test.
{
  pkgs,
  self,
  home-manager,
}:

let
  inherit (pkgs) lib;

  # Claude Code itself is unfree and large; the wiring only needs a `claude` with a version.
  fakeClaude =
    pkgs.runCommand "claude-code-2.1.200"
      {
        version = "2.1.200";
        meta.mainProgram = "claude";
      }
      ''
        mkdir -p $out/bin
        printf '#!%s\necho "ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"\n' ${pkgs.runtimeShell} > $out/bin/claude
        chmod +x $out/bin/claude
      '';

  mkHome =
    modules:
    home-manager.lib.homeManagerConfiguration {
      inherit pkgs;
      modules = [
        self.homeModules.default
        {
          home = {
            username = "alice";
            homeDirectory = "/home/alice";
            stateVersion = "25.11";
          };
          services.claude-api-proxy.enable = true;
        }
      ]
      ++ modules;
    };

  # Builds the configuration and runs `script` with $files = the generated home directory and
  # $profile = its profile (home.packages).
  inspect =
    name: home: script:
    pkgs.runCommand "claude-api-proxy-${name}"
      {
        files = "${home.activationPackage}/home-files";
        profile = "${home.activationPackage}/home-path";
      }
      ''
        set -euo pipefail
        unit="$files/.config/systemd/user/claude-api-proxy.service"
        config="$files/.config/claude-api-proxy/config.yaml"
        has() { grep -qE -- "$1" "$2" || { echo "missing in $2: $1"; cat "$2"; exit 1; }; }
        ${script}
        touch $out
      '';
in
{
  # `enable = true` alone: no allowUnfree, no Claude Code installed, the CLI and the environment.
  hm-default = inspect "hm-default" (mkHome [ ]) ''
    has '^ExecStart=.*/bin/claude-api-proxy" "serve" "--config" "/nix/store/[^"]*-claude-api-proxy.yaml"$' "$unit"
    has '^UnsetEnvironment=ANTHROPIC_BASE_URL$' "$unit"
    has '^ProtectSystem=strict$' "$unit"
    has '^NoNewPrivileges=true$' "$unit"
    has '^PrivateTmp=true$' "$unit"
    has '^RestrictAddressFamilies=AF_INET6$' "$unit"
    has '^SystemCallFilter=@system-service$' "$unit"
    has '^ReadWritePaths=/home/alice/.local/share/nixos-ai-stack/telemetry$' "$unit"
    has '^Restart=on-failure$' "$unit"
    test -e "$files/.config/systemd/user/default.target.wants/claude-api-proxy.service"
    has '^  port: 8094$' "$config"
    has '^  simpleQueryTokens: 100$' "$config"
    has 'dir: /home/alice/.local/share/nixos-ai-stack/telemetry' "$config"
    test -x "$profile/bin/claude-api-proxy"
    test ! -e "$profile/bin/claude"
    has 'ANTHROPIC_BASE_URL="http://127.0.0.1:8094"' "$profile/etc/profile.d/hm-session-vars.sh"
  '';

  # claudeCode.package with programs.claude-code off: that package, wrapped, on PATH.
  hm-own-package = inspect "hm-own-package" (mkHome [
    { services.claude-api-proxy.claudeCode.package = fakeClaude; }
  ]) ''
    test "$("$profile/bin/claude")" = "ANTHROPIC_BASE_URL=http://127.0.0.1:8094"
    test "$(ANTHROPIC_BASE_URL=http://other:1 "$profile/bin/claude")" = "ANTHROPIC_BASE_URL=http://other:1"
  '';

  hm-custom = inspect "hm-custom" (mkHome [
    {
      services.claude-api-proxy = {
        settings = {
          listen.port = 8095;
          local = {
            kind = "openai";
            url = "http://127.0.0.1:8080";
            model = "qwen2.5-coder-7b";
          };
        };
        apiKeyFile = "$XDG_RUNTIME_DIR/agenix/anthropic-api-key";
      };
      # The user's own package for programs.claude-code: wrapped, not defined twice.
      programs.claude-code = {
        enable = true;
        package = fakeClaude;
      };
    }
  ]) ''
    has '^Environment="ANTHROPIC_API_KEY_FILE=%t/agenix/anthropic-api-key"$' "$unit"
    has '^  port: 8095$' "$config"
    has '^  kind: openai$' "$config"
    has '^  model: qwen2.5-coder-7b$' "$config"
    has '"ANTHROPIC_BASE_URL": "http://127.0.0.1:8095"' "$files/.claude/settings.json"
    test "$("$profile/bin/claude")" = "ANTHROPIC_BASE_URL=http://127.0.0.1:8095"
  '';

  vm = pkgs.testers.runNixOSTest {
    name = "claude-api-proxy";
    nodes.machine = {
      imports = [ home-manager.nixosModules.home-manager ];

      users.users.alice = {
        isNormalUser = true;
        # Her user manager, and so the proxy, starts at boot.
        linger = true;
      };

      systemd.services.fake-anthropic = {
        wantedBy = [ "multi-user.target" ];
        serviceConfig.ExecStart = "${lib.getExe pkgs.nodejs} ${./fake-anthropic.mjs}";
      };

      home-manager.useGlobalPkgs = true;
      # Packages land in /etc/profiles/per-user/alice, on her PATH.
      home-manager.useUserPackages = true;
      home-manager.users.alice = {
        imports = [ self.homeModules.default ];
        home.stateVersion = "25.11";
        services.claude-api-proxy = {
          enable = true;
          claudeCode.package = fakeClaude;
          # The VM has no network: nothing to fetch for Anthropic's real URL.
          settings = {
            remote.url = "http://127.0.0.1:9099";
            local.enabled = false;
            rag.enabled = false;
          };
        };
      };
    };

    testScript = ''
      machine.wait_for_unit("multi-user.target")
      machine.wait_for_unit("fake-anthropic.service")
      machine.wait_for_unit("claude-api-proxy.service", "alice")
      machine.wait_for_open_port(8094)

      health = machine.succeed("curl -sf http://127.0.0.1:8094/health")
      print(health)

      answer = machine.succeed(
          "curl -sf http://127.0.0.1:8094/v1/messages"
          " -H 'content-type: application/json' -H 'anthropic-version: 2023-06-01' -H 'x-api-key: test-key'"
          " -d '{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":16,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}'"
      )
      assert "hello from the fake upstream" in answer, answer
      machine.succeed("journalctl -u fake-anthropic.service | grep -q 'x-api-key=test-key'")

      # The CLI is on her PATH.
      machine.succeed("su - alice -c 'claude-api-proxy --version'")

      # The wrapped claude talks to the proxy.
      out = machine.succeed("su - alice -c claude")
      assert "ANTHROPIC_BASE_URL=http://127.0.0.1:8094" in out, out
    '';
  };
}
