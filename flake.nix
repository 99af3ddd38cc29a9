{
  description = "claude-api-proxy: a local gateway for Claude Code that routes requests to a local LLM or to Anthropic";

  inputs = {
    nixpkgs.url = "github:NixOS/nixpkgs/nixpkgs-unstable";
    # Only the checks use home-manager; consumers can make it follow their own.
    home-manager = {
      url = "github:nix-community/home-manager";
      inputs.nixpkgs.follows = "nixpkgs";
    };
  };

  outputs =
    {
      self,
      nixpkgs,
      home-manager,
    }:
    let
      inherit (nixpkgs) lib;
      systems = [
        "x86_64-linux"
        "aarch64-linux"
        "x86_64-darwin"
        "aarch64-darwin"
      ];
      forAllSystems = f: lib.genAttrs systems (system: f nixpkgs.legacyPackages.${system});
    in
    {
      packages = forAllSystems (pkgs: {
        claude-api-proxy = pkgs.callPackage ./nix/package.nix { };
        default = self.packages.${pkgs.stdenv.hostPlatform.system}.claude-api-proxy;
      });

      overlays.default = final: _prev: {
        claude-api-proxy = final.callPackage ./nix/package.nix { };
      };

      # The modules build the package with the consumer's pkgs. `import` (not a bare path) because
      # Nix 2.8's `flake check` requires module outputs to be functions or attribute sets; each
      # module sets its own `key`, so importing it twice (or under both names) loads it once.
      homeModules = {
        claude-api-proxy = import ./nix/hm-module.nix;
        default = self.homeModules.claude-api-proxy;
      };
      # The older name some configurations still use.
      homeManagerModules = builtins.mapAttrs (name: module: {
        imports = [ module ];
        warnings = [
          "claude-api-proxy: homeManagerModules.${name} is deprecated, use homeModules.${name}."
        ];
      }) self.homeModules;

      nixosModules = {
        claude-api-proxy = import ./nix/nixos-module.nix;
        default = self.nixosModules.claude-api-proxy;
      };

      checks = forAllSystems (
        pkgs:
        {
          # Building it runs the test suite.
          package = self.packages.${pkgs.stdenv.hostPlatform.system}.claude-api-proxy;
        }
        // lib.optionalAttrs pkgs.stdenv.hostPlatform.isLinux (
          import ./nix/tests/checks.nix { inherit pkgs self home-manager; }
        )
      );

      devShells = forAllSystems (pkgs: {
        default = pkgs.mkShell {
          packages = [
            pkgs.nodejs
            pkgs.nixfmt-tree
          ];
        };
      });

      formatter = forAllSystems (pkgs: pkgs.nixfmt-tree);
    };
}
