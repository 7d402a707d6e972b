"""Writes local GGUF files with the real tensor shapes of a catalogue config (weights are zeros), so
the peers can be run offline. Usage: python make_gguf.py OUT_DIR [config-id]."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from gguf import GGMLQuantizationType, GGUFWriter
from gguf.quants import quantize

ROOT = Path(__file__).resolve().parents[2]


def tensors(c: dict):
    h, f, v = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    heads, kv = c["num_attention_heads"], c.get("num_key_value_heads", c["num_attention_heads"])
    hd = c.get("head_dim", h // heads)
    yield "token_embd.weight", (v, h)
    for i in range(c["num_hidden_layers"]):
        p = f"blk.{i}."
        yield p + "attn_norm.weight", (h,)
        yield p + "attn_q.weight", (heads * hd, h)
        yield p + "attn_k.weight", (kv * hd, h)
        yield p + "attn_v.weight", (kv * hd, h)
        yield p + "attn_output.weight", (h, heads * hd)
        yield p + "ffn_norm.weight", (h,)
        yield p + "ffn_gate.weight", (f, h)
        yield p + "ffn_up.weight", (f, h)
        yield p + "ffn_down.weight", (h, f)
    yield "output_norm.weight", (h,)
    if not c.get("tie_word_embeddings"):
        yield "output.weight", (v, h)


def write(cid: str, out: Path, qtype: GGMLQuantizationType) -> Path:
    c = json.loads((ROOT / "packages/models/catalogue/configs" / f"{cid}.json").read_text())
    path = out / f"{cid}-{qtype.name}.gguf"
    w = GGUFWriter(str(path), "llama")
    w.add_name(cid)
    w.add_context_length(c["max_position_embeddings"])
    w.add_embedding_length(c["hidden_size"])
    w.add_block_count(c["num_hidden_layers"])
    w.add_feed_forward_length(c["intermediate_size"])
    w.add_head_count(c["num_attention_heads"])
    w.add_head_count_kv(c.get("num_key_value_heads", c["num_attention_heads"]))
    w.add_layer_norm_rms_eps(c.get("rms_norm_eps", 1e-5))
    w.add_rope_freq_base(float(c.get("rope_theta", 10000.0)))
    w.add_vocab_size(c["vocab_size"])
    w.add_file_type(1 if qtype == GGMLQuantizationType.F16 else 7)
    for name, shape in tensors(c):
        data = np.zeros(shape, dtype=np.float32)
        if len(shape) == 1:  # norms stay F32, as llama.cpp's converter keeps them
            w.add_tensor(name, data)
        elif qtype == GGMLQuantizationType.F16:
            w.add_tensor(name, data.astype(np.float16))
        else:
            w.add_tensor(name, quantize(data, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    cid = sys.argv[2] if len(sys.argv) > 2 else "HuggingFaceTB__SmolLM2-135M"
    for q in (GGMLQuantizationType.F16, GGMLQuantizationType.Q8_0):
        print(write(cid, out, q))
