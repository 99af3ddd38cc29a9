# shellcheck shell=bash
# npmConfigHook of nix/package.nix, replacing buildNpmPackage's own, which needs a cache made by
# nixpkgs' npm fetchers. npmDeps here is the project's directory of locked tarballs
# (nix/npm-deps.mjs): the lock is pointed at it and npm installs offline. nix/tests/replay-build.sh
# sources this same file outside Nix.

claudeApiProxyNpmConfigHook() {
    echo "Executing claudeApiProxyNpmConfigHook"

    if [ -z "${npmDeps-}" ]; then
        echo "claudeApiProxyNpmConfigHook: npmDeps is not set" >&2
        exit 1
    fi

    export HOME="$TMPDIR"
    # A link outside the store: the rewritten lock (and node_modules/.package-lock.json) then name
    # no store path, so the output cannot refer to the whole tarball directory.
    ln -sfn "$npmDeps" "$TMPDIR/npm-deps"
    node @npmDepsScript@ lock package-lock.json "$TMPDIR/npm-deps"

    npm config set cache "$TMPDIR/npm-cache"
    npm config set offline true
    npm config set progress false
    npm config set audit false
    npm config set fund false

    # No dependency has an install script (CI's replay would show one failing offline).
    # shellcheck disable=SC2086
    npm ci --ignore-scripts $npmInstallFlags "${npmInstallFlagsArray[@]}" $npmFlags "${npmFlagsArray[@]}"

    patchShebangs node_modules

    echo "Finished claudeApiProxyNpmConfigHook"
}

postPatchHooks+=(claudeApiProxyNpmConfigHook)
