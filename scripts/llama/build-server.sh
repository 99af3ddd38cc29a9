#!/usr/bin/env bash
# Builds llama.cpp's llama-server from the release node-llama-cpp bundles (the only llama.cpp
# source reachable through the npm registry) and caches the binary per package version.
set -euo pipefail

version="${LLAMA_NODE_VERSION:-3.21.1}"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/claude-api-proxy/llama-server/$version"
binary="$cache/llama-server"
jobs="${LLAMA_BUILD_JOBS:-2}"

if [[ -x "$binary" && -d "$cache/gguf-py" ]]; then
  echo "llama-server $version: cached at $binary"
  exit 0
fi

# The work tree stays in the cache until the binary is in place: a failed or interrupted run
# resumes the build instead of starting it over.
work="$cache/work"
mkdir -p "$work"

if [[ ! -d "$work/llama.cpp" ]]; then
  echo "llama-server $version: fetching node-llama-cpp@$version"
  (cd "$work" && npm pack --silent "node-llama-cpp@$version" >/dev/null)
  tar -xzf "$work"/node-llama-cpp-*.tgz -C "$work" package/llama/gitRelease.bundle
  echo "llama-server $version: cloning the bundled llama.cpp release"
  git -c advice.detachedHead=false clone --quiet "$work/package/llama/gitRelease.bundle" "$work/llama.cpp.partial"
  mv "$work/llama.cpp.partial" "$work/llama.cpp"
fi
# gguf-py from the same release writes the test model; keep it beside the binary, with the commit.
rm -rf "$cache/gguf-py"
cp -r "$work/llama.cpp/gguf-py" "$cache/gguf-py"
git -C "$work/llama.cpp" rev-parse HEAD >"$cache/llama.cpp-commit"

echo "llama-server $version: configuring (cmake)"
cmake -S "$work/llama.cpp" -B "$work/build" \
  -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF \
  -DBUILD_SHARED_LIBS=OFF >"$work/configure.log" 2>&1 || { cat "$work/configure.log"; exit 1; }

echo "llama-server $version: building with -j$jobs (about 10 minutes on 2 cores)"
start=$SECONDS
cmake --build "$work/build" --target llama-server -j"$jobs" 2>&1 \
  | { grep --line-buffered -E '^\[ *[0-9]+%\]' || true; } | awk '{ print "  " $1 " " $2 " " $NF; fflush() }'
built="$work/build/bin/llama-server"
[[ -x "$built" ]] || { echo "llama-server $version: build produced no $built" >&2; exit 1; }
# Write under a temporary name first so an interrupted copy never looks cached.
cp "$built" "$binary.partial" && mv "$binary.partial" "$binary"
rm -rf "$work"
echo "llama-server $version: built in $((SECONDS - start)) s -> $binary"
