# Stand-in for nixpkgs' assertions module (home-manager imports it from pkgs.path): only the two
# options, without documentation. For the evaluation harness; see docs/nix.md.
{ lib, ... }:
{
  options = {
    assertions = lib.mkOption {
      type = lib.types.listOf lib.types.unspecified;
      default = [ ];
      internal = true;
    };
    warnings = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      internal = true;
    };
  };
}
