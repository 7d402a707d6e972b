"""Exact parameter counts of every catalogue config, as transformers builds the model (meta device).

Writes fixtures/parameters.json: per config the total, the tied-embedding flag, per-layer totals and
the count of every parameter outside the layers (embeddings, final norm, head) by name.
"""

from __future__ import annotations

import re
import sys
import traceback

from common import build_config, catalogue_ids, meta_model, raw_config, write_fixture

LAYER = re.compile(r"(?:^|\.)(?:layers|h)\.(\d+)\.")


def count(cid: str) -> dict:
    cfg = build_config(raw_config(cid))
    model = meta_model(cfg)
    # named_parameters() skips tied duplicates, as safetensors and vramkit count them.
    per_layer: dict[int, int] = {}
    outside: dict[str, int] = {}
    modules: dict[str, int] = {}
    total = 0
    for name, p in model.named_parameters():
        n = p.numel()
        total += n
        m = LAYER.search(name)
        if m:
            i = int(m.group(1))
            per_layer[i] = per_layer.get(i, 0) + n
            # module kind inside a layer, e.g. self_attn.q_proj.weight
            kind = name[m.end():]
            modules[kind] = modules.get(kind, 0) + n
        else:
            outside[name] = n
    # Persistent buffers are in the checkpoint (state_dict) but not in named_parameters():
    # DeepSeek-V3's router e_score_correction_bias. Rotary inv_freq is non-persistent.
    params = {n for n, _ in model.named_parameters()}
    buffers = {}
    for name, b in model.state_dict(keep_vars=True).items():
        if name not in params and name in dict(model.named_buffers()):
            buffers[name] = b.numel()
    per_layer_buffers: dict[int, int] = {}
    for name, n in buffers.items():
        m = LAYER.search(name)
        if m:
            per_layer_buffers[int(m.group(1))] = per_layer_buffers.get(int(m.group(1)), 0) + n
    return {
        "checkpointBuffers": sum(buffers.values()),
        "perLayerCheckpointBuffers": [per_layer_buffers.get(i, 0) for i in sorted(per_layer)],
        "modelType": raw_config(cid).get("model_type"),
        "class": type(model).__name__,
        "total": total,
        "tiedEmbeddings": bool(getattr(model.config, "tie_word_embeddings", False)),
        "layers": len(per_layer),
        "perLayer": [per_layer[i] for i in sorted(per_layer)],
        "outsideLayers": outside,
        "perModuleKind": dict(sorted(modules.items())),
    }


def main() -> None:
    ids = sys.argv[1:] or catalogue_ids()
    models, failures = {}, {}
    for cid in ids:
        try:
            models[cid] = count(cid)
            print(f"{cid}: {models[cid]['total']:,}", flush=True)
        except Exception as e:  # recorded, explained in the README
            failures[cid] = f"{type(e).__name__}: {e}".splitlines()[0][:300]
            traceback.print_exc()
    write_fixture("parameters.json", {"_script": "parameters.py", "models": models, "failures": failures})


if __name__ == "__main__":
    main()
