# A very small stand-in for nixpkgs' lib, written for CI, where only Nix itself and this repository
# exist. It offers exactly what nix/common.nix needs to declare its options and what flake.nix needs
# to lay out its outputs. Options are plain records (no module system): ci-eval.nix reads their
# defaults and checks each default against its type's `check`. The real module system is exercised
# by eval-modules.sh against nixpkgs' lib.
let
  inherit (builtins)
    all
    any
    elem
    isAttrs
    isBool
    isInt
    isList
    isString
    listToAttrs
    match
    stringLength
    substring
    ;

  type = name: check: { inherit name check; };

  hasPrefix = prefix: s: substring 0 (stringLength prefix) s == prefix;

  self = {
    mkOption = attrs: attrs // { _type = "option"; };
    mkEnableOption = name: self.mkOption {
      type = self.types.bool;
      default = false;
      description = "Whether to enable ${name}.";
    };
    literalExpression = text: {
      _type = "literalExpression";
      inherit text;
    };

    types = {
      str = type "str" isString;
      nonEmptyStr = type "nonEmptyStr" (s: isString s && match "[[:space:]]*" s == null);
      bool = type "bool" isBool;
      port = type "port" (n: isInt n && n >= 0 && n <= 65535);
      package = type "package" isAttrs;
      enum = values: type "enum" (v: elem v values) // { inherit values; };
      strMatching = pattern: type "strMatching ${pattern}" (s: isString s && match pattern s != null);
      int = type "int" isInt;
      ints = {
        unsigned = type "unsigned int" (n: isInt n && n >= 0);
        between = lo: hi: type "int between ${toString lo} and ${toString hi}" (n: isInt n && n >= lo && n <= hi);
      };
      addCheck = t: check: t // { check = v: t.check v && check v; };
      nullOr = t: type "null or ${t.name}" (v: v == null || t.check v);
      listOf = t: type "list of ${t.name}" (v: isList v && all t.check v);
      attrsOf = t: type "attrs of ${t.name}" (v: isAttrs v && all t.check (builtins.attrValues v));
      # Only what a freeform section needs: its declared options.
      submodule = module: type "submodule" isAttrs // { inherit (module) options; };
      anything = type "anything" (_: true);
    };

    inherit hasPrefix;
    removePrefix = prefix: s: if hasPrefix prefix s then substring (stringLength prefix) (-1) s else s;
    hasInfix = infix: s: match ".*${self.escapeRegex infix}.*" s != null;
    escapeRegex = builtins.replaceStrings [ "\\" "[" "]" "(" ")" "{" "}" "." "*" "+" "?" "^" "$" "|" ] [
      "\\\\"
      "\\["
      "\\]"
      "\\("
      "\\)"
      "\\{"
      "\\}"
      "\\."
      "\\*"
      "\\+"
      "\\?"
      "\\^"
      "\\$"
      "\\|"
    ];
    inherit (builtins)
      replaceStrings
      mapAttrs
      filter
      length
      head
      foldl'
      concatLists
      ;
    # What nix/package.nix needs, with the real semantics where it matters (the source filter).
    cleanSourceWith =
      {
        src,
        filter,
        name,
      }:
      builtins.path {
        path = src;
        inherit name filter;
      };
    fileContents = path: self.removeSuffix "\n" (builtins.readFile path);
    removeSuffix = suffix: s: let n = stringLength s - stringLength suffix; in if n >= 0 && substring n (-1) s == suffix then substring 0 n s else s;
    fetchers.proxyImpureEnvVars = [ "http_proxy" "https_proxy" ];
    licenses.mit = { spdxId = "MIT"; };
    platforms = {
      linux = [ "x86_64-linux" "aarch64-linux" ];
      darwin = [ "x86_64-darwin" "aarch64-darwin" ];
    };
    importJSON = path: builtins.fromJSON (builtins.readFile path);
    filterAttrs = pred: attrs: listToAttrs (map (name: { inherit name; value = attrs.${name}; }) (builtins.filter (name: pred name attrs.${name}) (builtins.attrNames attrs)));
    mapAttrsToList = f: attrs: map (name: f name attrs.${name}) (builtins.attrNames attrs);
    splitString = sep: s: builtins.filter isString (builtins.split (self.escapeRegex sep) s);
    recursiveUpdate =
      a: b:
      a
      // builtins.mapAttrs (name: value: if isAttrs value && isAttrs (a.${name} or null) then self.recursiveUpdate a.${name} value else value) b;
    genAttrs = names: f: listToAttrs (map (name: { inherit name; value = f name; }) names);
    optionalAttrs = cond: attrs: if cond then attrs else { };
    optional = cond: x: if cond then [ x ] else [ ];
    inherit any all;
  };
in
self
