"""Writes a random-weight qwen3 GGUF with Qwen3's real tokenizer and chat template.

Usage: make-model.py TOKENIZER_DIR OUT.gguf [SHAPE]  (gguf-py on PYTHONPATH, numpy installed)

SHAPE is `tiny` (the default: 128 wide, 4 layers, for the tests) or `qwen3-0.6b` (the dimensions of
the smallest Qwen3 release, for timing a server that computes what a real model does).

The weights are noise, so the text is gibberish, but two biases make the noise behave enough like a
model to test a server with: only printable-ASCII pieces can win (partial UTF-8 bytes make
llama-server reject its own output), and the end-of-turn and tool-call-start tokens get a bonus,
so answers end by themselves and, when tools are offered, calls start; a third keeps the
strings inside tool calls short.
"""

import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import gguf

SEED = 13
CONTEXT = 40960


@dataclass(frozen=True)
class Shape:
    width: int
    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    # Stored as Qwen ships its own GGUFs of the size (Q8_0), rather than as the tiny model's floats.
    q8: bool


SHAPES = {
    "tiny": Shape(width=128, layers=4, heads=4, kv_heads=2, head_dim=32, ffn=384, q8=False),
    "qwen3-0.6b": Shape(width=1024, layers=28, heads=16, kv_heads=8, head_dim=128, ffn=3072, q8=True),
}
# The noise scales below were tuned on the tiny shape; a wider input gets them shrunk by the square
# root of its width, so every layer's activations stay the size they are in the tiny model.
TINY = SHAPES["tiny"]

# The residual stream's dimension 0 is held constant (no layer writes to it), so the output head's
# column 0 acts as a per-token logit bias. Dimension 1 is set only by the tool-call-start token and
# read only by the newline token: a call opens with "<tool_call>\n", which is what makes llama.cpp
# switch to its tool-call grammar.
CARRIER = 4.0
AFTER_CALL = 8.0
NEWLINE_AFTER_CALL = 3.0
NOISE = 0.13
EXCLUDED = -30.0
END_BONUS = 6.0
TOOL_CALL_BONUS = 6.5
# Pieces that close a JSON string: tool-call arguments stay a few tokens long.
STRING_ENDS = ('"', '",', '"}', '"}}', '"]')
QUOTE_BONUS = 6.0

END_OF_TURN = "<|im_end|>"
TOOL_CALL_START = "<tool_call>"


def byte_decoder() -> dict[str, int]:
    """The inverse of byte-level BPE's byte-to-character table."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars = printable[:]
    extra = 0
    for b in range(256):
        if b not in printable:
            printable.append(b)
            chars.append(256 + extra)
            extra += 1
    return {chr(c): b for b, c in zip(printable, chars)}


def is_ascii_piece(token: str, decoder: dict[str, int]) -> bool:
    try:
        raw = bytes(decoder[ch] for ch in token)
    except KeyError:
        return False
    return len(raw) > 0 and all(0x20 <= b <= 0x7E for b in raw)


def main() -> None:
    tokenizer_dir, out = Path(sys.argv[1]), Path(sys.argv[2])
    name = sys.argv[3] if len(sys.argv) > 3 else "tiny"
    if name not in SHAPES:
        sys.exit(f"make-model.py: unknown shape {name!r}; known: {', '.join(SHAPES)}")
    shape = SHAPES[name]
    width, heads, kv_heads, head_dim, ffn = shape.width, shape.heads, shape.kv_heads, shape.head_dim, shape.ffn
    tokenizer = json.loads((tokenizer_dir / "tokenizer.json").read_text(encoding="utf-8"))
    config = json.loads((tokenizer_dir / "tokenizer_config.json").read_text(encoding="utf-8"))

    vocab: dict[str, int] = tokenizer["model"]["vocab"]
    added = {t["id"]: t for t in tokenizer["added_tokens"]}
    size = max(max(vocab.values()), max(added)) + 1
    tokens = [f"[PAD{i}]" for i in range(size)]
    types = [gguf.TokenType.UNUSED] * size
    for piece, i in vocab.items():
        tokens[i] = piece
        types[i] = gguf.TokenType.NORMAL
    for i, t in added.items():
        tokens[i] = t["content"]
        types[i] = gguf.TokenType.CONTROL if t["special"] else gguf.TokenType.USER_DEFINED
    ids = {t: i for i, t in enumerate(tokens)}
    merges = [m if isinstance(m, str) else " ".join(m) for m in tokenizer["model"]["merges"]]

    decoder = byte_decoder()
    bias = np.full(size, EXCLUDED, dtype=np.float32)
    for piece, i in vocab.items():
        if is_ascii_piece(piece, decoder):
            bias[i] = QUOTE_BONUS if piece in STRING_ENDS else 0.0
    bias[ids[END_OF_TURN]] = END_BONUS
    bias[ids[TOOL_CALL_START]] = TOOL_CALL_BONUS

    rng = np.random.default_rng(SEED)

    def noise(rows: int, fan_in: int, scale: float, tiny_fan_in: int) -> np.ndarray:
        scaled = scale * np.sqrt(tiny_fan_in / fan_in)
        return (rng.standard_normal((rows, fan_in)) * scaled).astype(np.float32)

    embed = rng.standard_normal((size, width)).astype(np.float32)
    embed[:, 0] = CARRIER
    embed[:, 1] = 0.0
    embed[ids[TOOL_CALL_START], 1] = AFTER_CALL
    # After the final RMS norm, dimension 0 is about CARRIER / rms of the stream.
    normed_carrier = CARRIER / np.sqrt((CARRIER**2 + width - 1) / width)
    head = noise(size, width, scale=NOISE, tiny_fan_in=TINY.width)
    head[:, 0] = bias / normed_carrier
    # The bonus tokens win by their bias alone, not by chance.
    head[ids[END_OF_TURN], 1:] = 0.0
    head[ids[TOOL_CALL_START], 1:] = 0.0
    head[:, 1] = 0.0
    newline = ids["Ċ"]
    head[newline, 0] = 0.0
    head[newline, 1] = NEWLINE_AFTER_CALL

    writer = gguf.GGUFWriter(str(out), "qwen3")
    writer.add_name(f"claude-api-proxy {name} qwen3 (random weights)")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(width)
    writer.add_block_count(shape.layers)
    writer.add_feed_forward_length(ffn)
    writer.add_head_count(heads)
    writer.add_head_count_kv(kv_heads)
    writer.add_key_length(head_dim)
    writer.add_value_length(head_dim)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_Q8_0 if shape.q8 else gguf.LlamaFileType.MOSTLY_F16)

    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("qwen2")
    writer.add_token_list(tokens)
    writer.add_token_types(types)
    writer.add_token_merges(merges)
    writer.add_eos_token_id(ids[END_OF_TURN])
    writer.add_pad_token_id(ids["<|endoftext|>"])
    writer.add_bos_token_id(ids["<|endoftext|>"])
    writer.add_add_bos_token(False)
    writer.add_chat_template(config["chat_template"])

    def add_matrix(name: str, data: np.ndarray) -> None:
        if shape.q8:
            writer.add_tensor(name, gguf.quants.quantize(data, gguf.GGMLQuantizationType.Q8_0), raw_dtype=gguf.GGMLQuantizationType.Q8_0)
        else:
            writer.add_tensor(name, data)

    add_matrix("token_embd.weight", embed.astype(np.float16))
    writer.add_tensor("output_norm.weight", np.ones(width, dtype=np.float32))
    add_matrix("output.weight", head.astype(np.float16))
    tiny_attention = TINY.heads * TINY.head_dim
    for layer in range(shape.layers):
        blk = f"blk.{layer}"
        out_proj = noise(width, heads * head_dim, scale=0.02, tiny_fan_in=tiny_attention)
        down = noise(width, ffn, scale=0.02, tiny_fan_in=TINY.ffn)
        # No layer writes to the carrier dimension.
        out_proj[:2, :] = 0.0
        down[:2, :] = 0.0
        writer.add_tensor(f"{blk}.attn_norm.weight", np.ones(width, dtype=np.float32))
        add_matrix(f"{blk}.attn_q.weight", noise(heads * head_dim, width, scale=0.1, tiny_fan_in=TINY.width))
        add_matrix(f"{blk}.attn_k.weight", noise(kv_heads * head_dim, width, scale=0.1, tiny_fan_in=TINY.width))
        add_matrix(f"{blk}.attn_v.weight", noise(kv_heads * head_dim, width, scale=0.1, tiny_fan_in=TINY.width))
        add_matrix(f"{blk}.attn_output.weight", out_proj)
        writer.add_tensor(f"{blk}.attn_q_norm.weight", np.ones(head_dim, dtype=np.float32))
        writer.add_tensor(f"{blk}.attn_k_norm.weight", np.ones(head_dim, dtype=np.float32))
        writer.add_tensor(f"{blk}.ffn_norm.weight", np.ones(width, dtype=np.float32))
        add_matrix(f"{blk}.ffn_gate.weight", noise(ffn, width, scale=0.1, tiny_fan_in=TINY.width))
        add_matrix(f"{blk}.ffn_up.weight", noise(ffn, width, scale=0.1, tiny_fan_in=TINY.width))
        add_matrix(f"{blk}.ffn_down.weight", down)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main()
