"""Shared helpers for the ground-truth scripts: catalogue configs, meta-device models, versions.

Everything here runs offline: configs come from the repository's catalogue, models are built with
`from_config` on the meta device (no weights are allocated or downloaded).
"""

from __future__ import annotations

import copy
import json
import os
import platform
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import torch  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoConfig, AutoModelForCausalLM  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "packages" / "models" / "catalogue" / "configs"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Keys that only matter when loading a checkpoint (from_pretrained), never for the module tree:
# quantization configs would otherwise ask for optional kernels packages.
LOAD_ONLY_KEYS = ("quantization_config", "auto_map")


# model_type → the transformers model its remote code (auto_map) implements.
REMOTE_CODE_TYPES = {"kimi_k2": "deepseek_v3"}


# Keys the catalogue copy of a config drops that the Hub file states (null values were trimmed);
# transformers' default would apply instead. Each one is listed in README.md.
HUB_FILE_KEYS = {"deepseek-ai__DeepSeek-V2-Lite": {"q_lora_rank": None}}


def versions() -> dict:
    out = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__}
    try:
        import peft

        out["peft"] = peft.__version__
    except ImportError:
        pass
    try:
        import accelerate

        out["accelerate"] = accelerate.__version__
    except ImportError:
        pass
    return out


def catalogue_ids() -> list[str]:
    return sorted(p.stem for p in CATALOGUE.glob("*.json"))


def raw_config(cid: str) -> dict:
    return {**json.loads((CATALOGUE / f"{cid}.json").read_text()), **HUB_FILE_KEYS.get(cid, {})}


def text_config_dict(raw: dict) -> dict:
    """The config a causal LM is built from; multimodal wrappers (Llama 4) keep their text part in `text_config`."""
    d = copy.deepcopy(raw)
    for k in LOAD_ONLY_KEYS:
        d.pop(k, None)
    return d


def build_config(raw: dict, **overrides):
    d = text_config_dict(raw)
    model_type = d.pop("model_type")
    # Kimi K2 ships remote code whose classes are DeepSeek-V3's (auto_map: DeepseekV3ForCausalLM).
    model_type = REMOTE_CODE_TYPES.get(model_type, model_type)
    cfg = AutoConfig.for_model(model_type, **d)
    # Multimodal configs (Llama 4): the causal LM is the text tower.
    if getattr(cfg, "text_config", None) is not None and model_type in ("llama4",):
        cfg = cfg.text_config
    for k, v in overrides.items():
        setattr(cfg, k, v)
    return cfg


def meta_model(cfg, attn: str | None = None):
    kwargs = {}
    if attn:
        kwargs["attn_implementation"] = attn
    with torch.device("meta"):
        return AutoModelForCausalLM.from_config(cfg, **kwargs)


def write_fixture(name: str, body: dict) -> None:
    FIXTURES.mkdir(parents=True, exist_ok=True)
    out = {"generatedBy": f"validation/{body.pop('_script')}", "versions": versions(), **body}
    (FIXTURES / name).write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
