"""Writes a tiny random-weight qwen3 GGUF with Qwen3's real tokenizer and chat template.

Usage: make-model.py TOKENIZER_DIR OUT.gguf  (gguf-py on PYTHONPATH, numpy installed)

The weights are noise, so the text is gibberish, but two biases make the noise behave enough like a
model to test a server with: only printable-ASCII pieces can win (partial UTF-8 bytes make
llama-server reject its own output), and the end-of-turn and tool-call-start tokens get a bonus,
so answers end by themselves and, when tools are offered, calls start; a third keeps the
strings inside tool calls short.
"""

import json
import sys
from pathlib import Path

import numpy as np
import gguf

SEED = 13
WIDTH = 128
LAYERS = 4
HEADS = 4
KV_HEADS = 2
HEAD_DIM = WIDTH // HEADS
FFN = 384
CONTEXT = 40960

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

    def noise(*shape: int, scale: float) -> np.ndarray:
        return (rng.standard_normal(shape) * scale).astype(np.float32)

    embed = noise(size, WIDTH, scale=1.0)
    embed[:, 0] = CARRIER
    embed[:, 1] = 0.0
    embed[ids[TOOL_CALL_START], 1] = AFTER_CALL
    # After the final RMS norm, dimension 0 is about CARRIER / rms of the stream.
    normed_carrier = CARRIER / np.sqrt((CARRIER**2 + WIDTH - 1) / WIDTH)
    head = noise(size, WIDTH, scale=NOISE)
    head[:, 0] = bias / normed_carrier
    # The bonus tokens win by their bias alone, not by chance.
    head[ids[END_OF_TURN], 1:] = 0.0
    head[ids[TOOL_CALL_START], 1:] = 0.0
    head[:, 1] = 0.0
    newline = ids["Ċ"]
    head[newline, 0] = 0.0
    head[newline, 1] = NEWLINE_AFTER_CALL

    writer = gguf.GGUFWriter(str(out), "qwen3")
    writer.add_name("claude-api-proxy tiny qwen3 (random weights)")
    writer.add_context_length(CONTEXT)
    writer.add_embedding_length(WIDTH)
    writer.add_block_count(LAYERS)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_key_length(HEAD_DIM)
    writer.add_value_length(HEAD_DIM)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-6)
    writer.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

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

    writer.add_tensor("token_embd.weight", embed.astype(np.float16))
    writer.add_tensor("output_norm.weight", np.ones(WIDTH, dtype=np.float32))
    writer.add_tensor("output.weight", head.astype(np.float16))
    for layer in range(LAYERS):
        blk = f"blk.{layer}"
        out_proj = noise(WIDTH, HEADS * HEAD_DIM, scale=0.02)
        down = noise(WIDTH, FFN, scale=0.02)
        # No layer writes to the carrier dimension.
        out_proj[:2, :] = 0.0
        down[:2, :] = 0.0
        writer.add_tensor(f"{blk}.attn_norm.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor(f"{blk}.attn_q.weight", noise(HEADS * HEAD_DIM, WIDTH, scale=0.1))
        writer.add_tensor(f"{blk}.attn_k.weight", noise(KV_HEADS * HEAD_DIM, WIDTH, scale=0.1))
        writer.add_tensor(f"{blk}.attn_v.weight", noise(KV_HEADS * HEAD_DIM, WIDTH, scale=0.1))
        writer.add_tensor(f"{blk}.attn_output.weight", out_proj)
        writer.add_tensor(f"{blk}.attn_q_norm.weight", np.ones(HEAD_DIM, dtype=np.float32))
        writer.add_tensor(f"{blk}.attn_k_norm.weight", np.ones(HEAD_DIM, dtype=np.float32))
        writer.add_tensor(f"{blk}.ffn_norm.weight", np.ones(WIDTH, dtype=np.float32))
        writer.add_tensor(f"{blk}.ffn_gate.weight", noise(FFN, WIDTH, scale=0.1))
        writer.add_tensor(f"{blk}.ffn_up.weight", noise(FFN, WIDTH, scale=0.1))
        writer.add_tensor(f"{blk}.ffn_down.weight", down)

    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


if __name__ == "__main__":
    main()
