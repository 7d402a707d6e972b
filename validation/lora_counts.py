"""peft's trainable/all parameter counts for a grid of LoRA/DoRA settings on every catalogue config.

The base model is built on the meta device; peft wraps it there too (adapter weights are created on
the base layer's device), so nothing is allocated. Records `get_nb_trainable_parameters()`.
Targets that match nothing in a model are recorded as an error (peft raises ValueError).

transformers >= 5 stores MoE experts as fused 3-D parameters (`experts.gate_up_proj`,
`experts.down_proj`), which `target_modules` cannot reach; peft's `target_parameters` adapts them.
The grid records both: `experts: none` (target_modules only) and `experts: fused` (plus
target_parameters on every 3-D expert parameter the model has), or `experts: gate_up_proj` (that one
parameter only); `targets: None` is peft's target_modules=None (target_parameters alone).
"""

from __future__ import annotations

import json
import sys
import traceback

import torch
from peft import LoraConfig, get_peft_model

from common import CATALOGUE, FIXTURES, ROOT, build_config, catalogue_ids, meta_model, raw_config, write_fixture

# Test-only configs of the fixtures package that the TypeScript tests also read (not catalogue entries).
FIXTURE_CONFIGS = ROOT / "packages" / "fixtures" / "configs"
TEST_IDS = ["seed-003__qwen3-8b-mha"]


def config_of(cid: str) -> dict:
    if not (CATALOGUE / f"{cid}.json").exists() and (FIXTURE_CONFIGS / f"{cid}.json").exists():
        return json.loads((FIXTURE_CONFIGS / f"{cid}.json").read_text())
    return raw_config(cid)

GRID = [
    {"id": "r8-qv", "r": 8, "targets": ["q_proj", "v_proj"]},
    {"id": "r16-attn", "r": 16, "targets": ["q_proj", "k_proj", "v_proj", "o_proj"]},
    {"id": "r16-all-linear", "r": 16, "targets": "all-linear"},
    {"id": "r64-all-linear", "r": 64, "targets": "all-linear"},
    {"id": "r16-all-linear-dora", "r": 16, "targets": "all-linear", "dora": True},
    {"id": "r8-mlp", "r": 8, "targets": ["gate_proj", "up_proj", "down_proj"]},
    {"id": "r16-all-linear-save-embed-head", "r": 16, "targets": "all-linear", "save": ["embed_tokens", "lm_head"]},
    {"id": "r16-all-linear-fused-experts", "r": 16, "targets": "all-linear", "experts": "fused"},
    # target_parameters at other ranks, alone (target_modules=None) and on gate_up_proj only.
    {"id": "r8-all-linear-fused-experts", "r": 8, "targets": "all-linear", "experts": "fused"},
    {"id": "r64-all-linear-fused-experts", "r": 64, "targets": "all-linear", "experts": "fused"},
    {"id": "r16-experts-only", "r": 16, "targets": None, "experts": "fused"},
    {"id": "r16-qv-gate-up-only", "r": 16, "targets": ["q_proj", "v_proj"], "experts": "gate_up_proj"},
]

# Models above this many parameters are skipped for the DoRA row: DoRA computes the weight norm at
# init, which needs real weights (the meta device has none).
def expert_parameters(model) -> list[str]:
    names = set()
    for name, p in model.named_parameters():
        if p.dim() == 3 and ".experts." in name:
            names.add(name.split(".experts.", 1)[1].rsplit(".", 0)[0])
    return sorted(f"experts.{n}" for n in names)


def one(cid: str, g: dict) -> dict:
    cfg = build_config(config_of(cid))
    model = meta_model(cfg)
    kw = {"r": g["r"], "lora_alpha": 2 * g["r"], "target_modules": g["targets"], "lora_dropout": 0.0}
    if g.get("dora"):
        kw["use_dora"] = True
    if g.get("save"):
        kw["modules_to_save"] = g["save"]
    if g.get("experts"):
        ep = expert_parameters(model)
        if g["experts"] != "fused":
            ep = [n for n in ep if n == f"experts.{g['experts']}"]
        if not ep:
            return {"skipped": "no fused 3-D expert parameters"}
        kw["target_parameters"] = ep
    with torch.device("meta"):  # adapters too: nothing is allocated or initialised
        pm = get_peft_model(model, LoraConfig(**kw))
    trainable, total = pm.get_nb_trainable_parameters()
    out = {"trainable": int(trainable), "all": int(total)}
    if g.get("experts"):
        out["targetParameters"] = kw["target_parameters"]
    return out


def main() -> None:
    named = [a for a in sys.argv[1:] if not a.startswith("--")]
    ids = named or catalogue_ids() + TEST_IDS
    # Named ids are re-recorded into the existing fixture; the others keep their rows.
    results: dict[str, dict] = json.loads((FIXTURES / "lora.json").read_text())["models"] if named else {}
    for cid in ids:
        row = {}
        for g in GRID:
            try:
                with torch.no_grad():
                    row[g["id"]] = one(cid, g)
            except Exception as e:
                row[g["id"]] = {"error": f"{type(e).__name__}: {e}".splitlines()[0][:300]}
                if "--verbose" in sys.argv:
                    traceback.print_exc()
        results[cid] = row
        print(cid, {k: v.get("trainable", v.get("error", v.get("skipped"))) for k, v in row.items()}, flush=True)
    write_fixture("lora.json", {"_script": "lora_counts.py", "grid": GRID, "models": dict(sorted(results.items()))})


if __name__ == "__main__":
    main()
