# A small stand-in for nixpkgs, enough to evaluate home-manager's core modules (minimal = true)
# and this project's modules without the full nixpkgs tree, and to build the few text files the
# harness prints (the unit, the YAML, the wrapper). Builders run the host's /bin/sh with the host's
# PATH: this is for nix/tests/eval-modules.sh on a developer machine (Nix with sandbox = false),
# never for a real system.
#
#   lib:  nixpkgs' lib (from a nixpkgs.lib checkout)
#   path: what pkgs.path stands for (home-manager imports lib/services and nixos/modules/misc from it)
#   cli:  a command that implements `check-config FILE` (the real program when it can run here)
{
  lib,
  path ? ./.,
  cli ? null,
  system ? "x86_64-linux",
  # More names to stand in for with empty packages: for the whole home-manager module set, the
  # harness passes every `pkgs.<name>` its modules mention.
  extraNames ? [ ],
}:

let
  inherit (lib) concatStringsSep;

  hostPath = "/usr/local/bin:/usr/bin:/bin";

  # Attributes a derivation may not carry as environment variables.
  notEnv = [
    "meta"
    "passthru"
    "pname"
  ];

  mkDerivation =
    {
      name,
      script,
      env ? { },
      passthru ? { },
      meta ? { },
    }:
    let
      drv = derivation (
        removeAttrs env notEnv
        // {
          inherit name system;
          builder = "/bin/sh";
          args = [
            "-c"
            ''
              set -e
              export PATH=${hostPath}
              for hook in $nativeBuildInputs; do
                if [ -f "$hook/nix-support/setup-hook" ]; then . "$hook/nix-support/setup-hook"; fi
              done
              ${script}
            ''
          ];
          nativeBuildInputs = env.nativeBuildInputs or [ ];
        }
      );
    in
    drv
    // passthru
    // {
      inherit meta passthru;
    }
    // lib.optionalAttrs (env ? version) { inherit (env) version; };

  runCommandWith =
    name: env: script:
    mkDerivation {
      inherit name script;
      env = env;
      passthru = env.passthru or { };
      meta = env.meta or { };
    };

  writeTextFile =
    {
      name,
      text,
      destination ? "",
      executable ? false,
      ...
    }:
    mkDerivation {
      inherit name;
      env = {
        inherit text;
        passAsFile = [ "text" ];
      };
      script = ''
        target="$out${destination}"
        mkdir -p "$(dirname "$target")"
        cp "$textPath" "$target"
        ${lib.optionalString executable ''chmod +x "$target"''}
      '';
      passthru = { inherit text; };
    };

  # A JSON value type, as nixpkgs' formats use.
  valueType =
    with lib.types;
    nullOr (oneOf [
      bool
      int
      float
      str
      lib.types.path # not `path`: that is this file's argument
      (attrsOf valueType)
      (listOf valueType)
    ])
    // {
      description = "YAML/JSON value";
    };

  # JSON is YAML: the harness shows the document as it would be parsed.
  jsonFormat = _: {
    type = valueType;
    lib.types.atom = valueType;
    generate = name: value: writeTextFile {
      inherit name;
      text = builtins.toJSON value;
    };
  };

  mkStubPackage =
    {
      pname,
      version,
      mainProgram,
      script,
    }:
    mkDerivation {
      name = "${pname}-${version}";
      env = { inherit version; };
      script = ''
        mkdir -p $out/bin
        cat > $out/bin/${mainProgram} <<'STUB'
        #!/bin/sh
        ${script}
        STUB
        chmod +x $out/bin/${mainProgram}
      '';
      meta = {
        inherit mainProgram;
        description = "stub ${pname} for the evaluation harness";
      };
    }
    // {
      inherit pname;
    };

  emptyPackage =
    name:
    mkDerivation {
      name = "${name}-stub";
      env.version = "999";
      script = "mkdir -p $out/bin";
      meta.mainProgram = name;
    };

  base = {
    inherit lib system path;
    stdenv = rec {
      hostPlatform = lib.systems.elaborate system;
      buildPlatform = hostPlatform;
      targetPlatform = hostPlatform;
      inherit (hostPlatform) isLinux isDarwin;
      shell = "/bin/sh";
    };
    stdenvNoCC = self.stdenv;
    buildPackages = self;
    pkgsBuildHost = self;

    runCommand = runCommandWith;
    runCommandLocal = runCommandWith;
    runCommandNoCC = runCommandWith;
    inherit writeTextFile;
    writeText = name: text: writeTextFile { inherit name text; };
    writeTextDir =
      path: text:
      writeTextFile {
        name = baseNameOf path;
        inherit text;
        destination = "/${path}";
      };
    writeScript =
      name: text:
      writeTextFile {
        inherit name text;
        executable = true;
      };
    writeShellScript =
      name: text:
      writeTextFile {
        inherit name;
        executable = true;
        text = "#!/bin/sh\n${text}";
      };
    writeShellScriptBin =
      name: text:
      writeTextFile {
        inherit name;
        executable = true;
        destination = "/bin/${name}";
        text = "#!/bin/sh\n${text}";
      };

    symlinkJoin =
      {
        name,
        paths,
        postBuild ? "",
        ...
      }@args:
      runCommandWith name (removeAttrs args [ "paths" "postBuild" "name" ]) ''
        mkdir -p $out
        for p in ${concatStringsSep " " (map toString paths)}; do
          (cd "$p" && find . -type d) | while read -r d; do mkdir -p "$out/$d"; done
          (cd "$p" && find . ! -type d) | while read -r f; do ln -s "$p/$f" "$out/$f"; done
        done
        ${postBuild}
      '';

    # makeWrapper/wrapProgram with the flags this project uses (--set, --set-default, --add-flags).
    makeWrapper = writeTextFile {
      name = "make-wrapper-stub";
      destination = "/nix-support/setup-hook";
      text = ''
        makeWrapper() {
          original="$1"; wrapper="$2"; shift 2
          { echo "#!/bin/sh"; flags=""
            while [ $# -gt 0 ]; do
              case "$1" in
                --set) echo "export $2='$3'"; shift 3 ;;
                --set-default) echo "export $2=\''${$2-'$3'}"; shift 3 ;;
                --add-flags) flags="$flags $2"; shift 2 ;;
                *) echo "makeWrapper stub: unsupported $1" >&2; exit 1 ;;
              esac
            done
            echo "exec -a \"\$0\" \"$original\"$flags \"\$@\""
          } > "$wrapper"
          chmod +x "$wrapper"
        }
        wrapProgram() {
          prog="$1"; shift
          hidden="$(dirname "$prog")/.$(basename "$prog")-wrapped"
          mv "$prog" "$hidden"
          makeWrapper "$hidden" "$prog" "$@"
        }
      '';
    };

    formats = {
      yaml = jsonFormat;
      yaml_1_1 = jsonFormat;
      yaml_1_2 = jsonFormat;
      json = jsonFormat;
      toml = jsonFormat;
      keyValue = jsonFormat;
      javaProperties = jsonFormat;
      xml = jsonFormat;
      rasi = jsonFormat;
      iniWithGlobalSection = jsonFormat;
      ini = _: {
        type = lib.types.attrsOf (lib.types.attrsOf valueType);
        lib.types.atom = valueType;
        generate = name: value: writeTextFile {
          inherit name;
          text = lib.generators.toINI { } value;
        };
      };
    };

    claude-api-proxy = mkStubPackage {
      pname = "claude-api-proxy";
      version = "0.0.0-stub";
      mainProgram = "claude-api-proxy";
      script =
        if cli == null then
          ''echo "stub claude-api-proxy: no validator given" >&2; [ "$1" = check-config ]''
        else
          ''exec ${cli} "$@"'';
    };

    claude-code = mkStubPackage {
      pname = "claude-code";
      version = "2.1.200";
      mainProgram = "claude";
      script = ''echo "claude (stub) ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"'';
    };

    # Another Claude Code, as a user might package the npm release.
    claude-code-npm = mkStubPackage {
      pname = "claude-code-npm";
      version = "2.1.201";
      mainProgram = "claude";
      script = ''echo "claude (npm stub) ANTHROPIC_BASE_URL=$ANTHROPIC_BASE_URL"'';
    };

    callPackage = _fn: _args: self.claude-api-proxy;

    # Lets the flake's layout be listed (`nix flake show`); a VM test cannot run on stand-ins.
    testers.runNixOSTest =
      test:
      mkDerivation {
        name = "vm-test-run-${test.name}";
        script = "echo 'a NixOS VM test needs the real nixpkgs' >&2; exit 1";
      };
    mkShell = _: emptyPackage "shell";
    nixfmt-tree = emptyPackage "nixfmt-tree";
    nodejs = emptyPackage "node";
  }
  // lib.genAttrs [
    "bash"
    "coreutils"
    "systemd"
    "sd-switch"
    "gnused"
    "gnugrep"
    "findutils"
    "jq"
    "ncurses"
    "nix"
    "lndir"
    "emptyDirectory"
    "vscode"
    "vscodium"
    "glibcLocales"
    "shared-mime-info"
  ] emptyPackage;
  self = base // lib.genAttrs (lib.filter (name: !(base ? ${name})) extraNames) emptyPackage;
in
self
