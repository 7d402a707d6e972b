"""Bytes saved for backward in one training step of reduced-depth variants of catalogue configs.

Real widths (hidden, heads, FFN, vocabulary) with 2 layers, on the CPU, in bf16 (as torchtune and
HF bf16 training run), batch 1 and a short sequence so it stays cheap. For each setting:

- `saved`: every tensor autograd saves for backward, seen through
  `torch.autograd.graph.saved_tensors_hooks`, each storage counted once (views and tensors saved by
  several nodes share a storage), attributed to the decoder layer whose forward was running;
- parameters and buffers are not activations and are excluded (a saved weight is the weight itself);
- `logits`: bytes of the logits and the loss temporaries, measured as the saved storages created
  outside the layers (final norm, head, loss).

Settings: attention `eager` and `sdpa`; gradient checkpointing off/on (transformers'
`gradient_checkpointing_enable()`, non-reentrant); `full` (all weights train), `lora` (peft r=16 on
all-linear, base frozen), `frozen` (QLoRA-style: the base is frozen and the adapters train, but the
base stays bf16 here — the 4-bit base saves the same activations, only its weights differ).

MoE configs keep their real expert width and top-k but only `top_k * 2` experts, so a 2-layer
variant fits on a small CPU; dropless routing saves per routed token copy, independent of the
expert count (the router's softmax over experts is the one term that scales with it).
"""

from __future__ import annotations

import gc
import re
import sys
import time
import traceback

import torch
from peft import LoraConfig, get_peft_model
from transformers.initialization import no_init_weights

from common import build_config, raw_config, write_fixture

SEQ = 128
BATCH = 1
LAYERS = 2
DTYPE = torch.bfloat16

MODELS = [
    "HuggingFaceTB__SmolLM2-135M",
    "Qwen__Qwen3-0.6B",
    "meta-llama__Llama-3.2-1B-Instruct",
    "Qwen__Qwen2.5-1.5B",
    "google__gemma-2-2b",
    "microsoft__Phi-3-mini-4k-instruct",
    "mistralai__Mistral-7B-v0.1",
    "openai-community__gpt2",
    "Qwen__Qwen3-30B-A3B",
    "mistralai__Mixtral-8x7B-v0.1",
]

LAYER = re.compile(r"(?:^|\.)(?:layers|h)\.(\d+)$")


def reduced_config(cid: str, attn: str):
    raw = raw_config(cid)
    cfg = build_config(raw)
    over = {"num_hidden_layers": LAYERS, "use_cache": False}
    for k in ("num_experts", "num_local_experts", "n_routed_experts"):
        if getattr(cfg, k, None):
            topk = getattr(cfg, "num_experts_per_tok", 2)
            over[k] = max(2 * topk, 4)
    for k, v in over.items():
        setattr(cfg, k, v)
    if getattr(cfg, "layer_types", None):
        cfg.layer_types = cfg.layer_types[:LAYERS]
    if hasattr(cfg, "mlp_only_layers"):
        cfg.mlp_only_layers = []
    cfg._attn_implementation = attn
    return cfg


class Recorder:
    def __init__(self, model):
        self.layer: int | None = None
        self.params = {p.untyped_storage().data_ptr() for p in model.parameters()}
        self.params |= {b.untyped_storage().data_ptr() for b in model.buffers()}
        self.seen: dict[int, tuple[str, int]] = {}
        self.handles = []
        for name, mod in model.named_modules():
            m = LAYER.search(name)
            if m:
                i = int(m.group(1))
                self.handles.append(mod.register_forward_pre_hook(lambda _m, _a, i=i: self._enter(i)))
                self.handles.append(mod.register_forward_hook(lambda _m, _a, _o: self._leave()))

    def _enter(self, i):
        self.layer = i

    def _leave(self):
        self.layer = None

    def pack(self, t):
        s = t.untyped_storage()
        ptr = s.data_ptr()
        if ptr not in self.params and ptr not in self.seen and s.nbytes() > 0:
            where = f"layer{self.layer}" if self.layer is not None else "outside"
            self.seen[ptr] = (where, s.nbytes())
        return t

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for where, n in self.seen.values():
            out[where] = out.get(where, 0) + n
        return out


def run(cid: str, attn: str, ckpt: bool, mode: str) -> dict:
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    cfg = reduced_config(cid, attn)
    # Skip transformers' weight init (slow on a shared CPU); any finite values save the same tensors.
    with no_init_weights():
        model = AutoModelForCausalLM.from_config(cfg, dtype=DTYPE, attn_implementation=attn)
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.02) if p.dim() > 1 else p.fill_(1.0)
    model.train()
    for m in model.modules():  # dropout off: modern fine-tuning, and what vramkit models by default
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    if mode != "full":
        model = get_peft_model(model, LoraConfig(r=16, lora_alpha=32, target_modules="all-linear", lora_dropout=0.0))
    if ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if mode != "full":
            model.enable_input_require_grads()
    rec = Recorder(model)
    ids = torch.randint(0, cfg.vocab_size, (BATCH, SEQ))
    with torch.autograd.graph.saved_tensors_hooks(rec.pack, lambda t: t):
        out = model(input_ids=ids, labels=ids)
    totals = rec.totals()
    logits = out.logits
    out.loss.backward()
    for h in rec.handles:
        h.remove()
    per_layer = [totals.get(f"layer{i}", 0) for i in range(LAYERS)]
    res = {
        "perLayer": per_layer,
        "outside": totals.get("outside", 0),
        "logitsBytes": logits.numel() * logits.element_size(),
        "logitsDtype": str(logits.dtype).replace("torch.", ""),
    }
    del model, out, logits
    gc.collect()
    return res


def main() -> None:
    ids = [a for a in sys.argv[1:] if not a.startswith("--")] or MODELS
    results: dict[str, dict] = {}
    for cid in ids:
        row: dict[str, dict] = {}
        attns = [a.split("=", 1)[1] for a in sys.argv if a.startswith("--attn=")] or ["eager", "sdpa"]
        for attn in attns:
            for ckpt in (False, True):
                for mode in ("full", "lora"):
                    key = f"{attn}/{'ckpt' if ckpt else 'no-ckpt'}/{mode}"
                    t0 = time.time()
                    try:
                        row[key] = run(cid, attn, ckpt, mode)
                    except Exception as e:
                        row[key] = {"error": f"{type(e).__name__}: {e}".splitlines()[0][:300]}
                        traceback.print_exc()
                    print(cid, key, row[key].get("perLayer", row[key].get("error")), f"{time.time() - t0:.1f}s", flush=True)
        results[cid] = row
        # Written after every model, merged with what the fixture already holds (a run may be cut short).
        write_fixture(
            "activations.json",
            {"_script": "activations.py", "seq": SEQ, "batch": BATCH, "layers": LAYERS, "dtype": "bfloat16", "models": {**previous(), **results}},
        )


def previous() -> dict:
    import json

    from common import FIXTURES

    path = FIXTURES / "activations.json"
    if "--fresh" in sys.argv or not path.exists():
        return {}
    return json.loads(path.read_text()).get("models", {})


if __name__ == "__main__":
    main()
