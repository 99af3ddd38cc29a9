# Stand-in for nixpkgs' meta module (home-manager imports it from pkgs.path): modules may set
# meta.* freely; the values are collected and never checked.
{ lib, ... }:
{
  options.meta = lib.mkOption {
    type = lib.types.lazyAttrsOf (
      lib.mkOptionType {
        name = "meta value";
        merge = _loc: defs: map (def: def.value) defs;
      }
    );
    default = { };
    internal = true;
  };
}
