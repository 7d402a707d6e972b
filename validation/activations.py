"""Bytes saved for backward in one training step of reduced-depth variants of every catalogue config.

Real widths (hidden, heads, FFN, experts' width and top-k, vocabulary) with 2 decoder layers (4 for
hybrid stacks, so that every layer kind is present), on the CPU, in bf16, batch 1, sequence 128.
For each setting `<attn>/<ckpt>/<mode>`:

- `perLayer`: every tensor autograd saves for backward, seen through
  `torch.autograd.graph.saved_tensors_hooks`, each storage counted once (views and tensors saved by
  several nodes share a storage), attributed to the decoder layer whose forward was running;
  parameters and buffers are excluded (a saved weight is the weight itself);
- `total` and `totalNext`: all saved bytes at the reduced depth and at one layer more, so
  `totalNext - total` is one repeating layer measured by differencing depths (no attribution);
- `outside`: saved bytes outside the layers (embedding, final norm, head, loss).

Settings: attention `eager` and `sdpa`; gradient checkpointing off/on (transformers'
`gradient_checkpointing_enable()`, non-reentrant); mode `full` (every weight trains), `lora` (peft
r 16 on all-linear over a frozen bf16 base, adapters fp32 as peft's autocast_adapter_dtype keeps
them) and `qlora` (a QLoRA-style frozen base: peft's `prepare_model_for_kbit_training` casts every
parameter that is not a `Params4bit` to fp32, and bitsandbytes' `Linear4bit.forward` casts its input
to the compute dtype (bf16) and its output back to the input dtype, saving nothing but the packed
weight; the stand-in `Frozen4bitStandIn` does exactly that with a frozen bf16 weight, so no
bitsandbytes build is needed).

One forward pass is enough: autograd saves every tensor during forward, so backward is not run for
these rows. The loss is measured apart (`loss`): the allocator peak, from CPU memory events of
torch.profiler, of the head and the loss from the head input to its gradient, with the real
vocabulary and the head frozen (its weight gradient is a gradient, not an activation), logits
dropped before backward as transformers' Trainer.compute_loss drops the outputs.

MoE configs keep their real expert width and top-k but only `2 × top_k` experts (at least 4), so a
2-layer variant fits on a small CPU; dropless routing saves per routed token copy, independent of
the expert count (the router's softmax over experts is the one term that scales with it). Models
whose first layers are dense (DeepSeek's `first_k_dense_replace`) keep one dense layer first.

Weights of large variants are "virtual": an overlapping `as_strided` view of a small random buffer
(the shape, dtype and requires_grad of the real parameter, a few KiB of memory; fused 3-D experts
repeat one real matrix over the experts). Kernels read it
through a transient contiguous copy; autograd saves the same tensors (a weight it saves is a
parameter either way), which `--check-virtual` confirms on small configs.

Usage: python validation/activations.py [config ids, or id@sdpa for one attention...] [--attn=sdpa]
[--fresh] [--resume] [--check-virtual] [--real]
(`--resume` keeps the settings a config already has; every setting and the loss run in a forked child)
"""

from __future__ import annotations

import ctypes
import gc
import json
import multiprocessing
import re
import sys
import time
import traceback

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from torch.profiler import ProfilerActivity, profile
from transformers.initialization import no_init_weights

from common import FIXTURES, build_config, catalogue_ids, raw_config, write_fixture

SEQ = 128
# Variants whose two layers hold more than this many weights run at SEQ_LARGE tokens (CPU time).
LARGE_LAYER = 500_000_000
SEQ_LARGE = 32
# The layer runs use a small vocabulary (the embedding and head cost CPU time and save nothing per
# layer); the head and the loss are measured apart at the real vocabulary (`loss_peak`).
LAYER_VOCAB = 1024
BATCH = 1
LAYERS = 2
DTYPE = torch.bfloat16
RANK = 16
# Parameters above this many elements are virtual (see the module docstring).
VIRTUAL_ABOVE = 4_000_000
MODES = ("full", "lora", "qlora")
# Most expert weights (3 × hidden × expert width × experts) one reduced MoE layer may hold.
EXPERT_WEIGHTS = 1_000_000_000

LAYER = re.compile(r"(?:^|\.)(?:layers|h)\.(\d+)$")


def depth_of(cfg) -> int:
    """Enough layers for every layer kind: hybrid stacks (Qwen3-Next: 3 linear, 1 full) need 4."""
    kinds = getattr(cfg, "layer_types", None)
    if kinds and "linear_attention" in kinds:
        return kinds.index("full_attention") + 1
    return LAYERS


def reduced_experts(cfg) -> int:
    """`2 × top_k` experts (at least 4), or `top_k` (at least 2) where those would hold more than
    EXPERT_WEIGHTS weights per layer: peft's merged expert weights and the fp32 experts of the
    QLoRA-style base are real memory (Mixtral 8x22B at 4 experts: 4.8 GB per layer in fp32)."""
    topk = getattr(cfg, "num_experts_per_tok", 2)
    width = getattr(cfg, "moe_intermediate_size", None) or cfg.intermediate_size
    n = max(2 * topk, 4)
    return n if n * 3 * cfg.hidden_size * width <= EXPERT_WEIGHTS else max(topk, 2)


def experts_of(cfg) -> int | None:
    return next((getattr(cfg, k) for k in ("num_experts", "num_local_experts", "n_routed_experts") if getattr(cfg, k, None)), None)


def reduced_config(cid: str, attn: str, depth: int | None = None):
    cfg = build_config(raw_config(cid))
    layers = depth or depth_of(cfg)
    full_types = list(getattr(cfg, "layer_types", None) or [])
    over = {"num_hidden_layers": layers, "use_cache": False}
    for k in ("num_experts", "num_local_experts", "n_routed_experts"):
        if getattr(cfg, k, None):
            over[k] = reduced_experts(cfg)
    if getattr(cfg, "first_k_dense_replace", None):
        over["first_k_dense_replace"] = 1
    for k, v in over.items():
        setattr(cfg, k, v)
    if full_types:
        cfg.layer_types = full_types[:layers]
    if hasattr(cfg, "mlp_only_layers"):
        cfg.mlp_only_layers = []
    cfg._attn_implementation = attn
    return cfg


def small_vocab(cfg) -> None:
    cfg.vocab_size = LAYER_VOCAB
    for k in ("pad_token_id", "bos_token_id", "eos_token_id"):
        v = getattr(cfg, k, None)
        if isinstance(v, int) and v >= LAYER_VOCAB:
            setattr(cfg, k, 0)
        elif isinstance(v, list):
            setattr(cfg, k, [x if x < LAYER_VOCAB else 0 for x in v])


class Frozen4bitStandIn(torch.nn.Linear):
    """bitsandbytes Linear4bit's dtype behaviour (nn/modules.py: input cast to compute dtype, output
    back to the input dtype) with a frozen bf16 weight: MatMul4Bit saves no activation."""

    def forward(self, x):
        inp = x.dtype
        bias = None if self.bias is None else self.bias.to(DTYPE)
        return F.linear(x.to(DTYPE), self.weight, bias).to(inp)


def to_standins(model) -> None:
    """Every linear but the head becomes a 4-bit stand-in, as transformers' bitsandbytes integration
    replaces them (GPT-2's Conv1D too, transposed to [out, in])."""
    from transformers.pytorch_utils import Conv1D

    head = model.get_output_embeddings()
    for mod in list(model.modules()):
        for name, child in list(mod.named_children()):
            if type(child) is torch.nn.Linear and child is not head:
                child.__class__ = Frozen4bitStandIn
            elif isinstance(child, Conv1D):
                nx, nf = child.weight.shape
                setattr(mod, name, Frozen4bitStandIn(nx, nf, bias=child.bias is not None, device="meta", dtype=DTYPE))


def materialize(model, virtual: bool, fp32: set[int]) -> None:
    """Real (random) or virtual values for every parameter, in the dtype the mode trains with."""
    gen = torch.Generator().manual_seed(0)
    new: dict[int, torch.nn.Parameter] = {}
    for mod in model.modules():
        for name, p in list(mod._parameters.items()):
            if p is None:
                continue
            if id(p) not in new:
                dtype = torch.float32 if id(p) in fp32 else p.dtype
                if p.dim() > 1:
                    if virtual and p.numel() > VIRTUAL_ABOVE and p.dim() == 2:
                        buf = torch.randn(sum(p.shape), generator=gen, dtype=torch.float32).mul_(0.02).to(dtype)
                        t = torch.as_strided(buf, p.shape, (1, 1))
                    elif virtual and p.numel() > VIRTUAL_ABOVE:
                        # Fused experts: one real row-major matrix repeated (stride 0) over the experts,
                        # a layout torch._grouped_mm accepts.
                        o, i = p.shape[-2:]
                        buf = torch.randn(o * i, generator=gen, dtype=torch.float32).mul_(0.02).to(dtype)
                        t = torch.as_strided(buf, p.shape, (0,) * (p.dim() - 2) + (i, 1))
                    else:
                        t = torch.randn(p.shape, generator=gen, dtype=torch.float32).mul_(0.02).to(dtype)
                else:
                    t = torch.ones(p.shape, dtype=dtype)
                new[id(p)] = torch.nn.Parameter(t, requires_grad=p.requires_grad)
            mod._parameters[name] = new[id(p)]


def build(cid: str, attn: str, ckpt: bool, mode: str, virtual: bool, depth: int | None = None):
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    cfg = reduced_config(cid, attn, depth)
    small_vocab(cfg)
    # torch.empty without init: untouched pages cost no memory before materialize() replaces them.
    with no_init_weights():
        model = AutoModelForCausalLM.from_config(cfg, dtype=DTYPE, attn_implementation=attn)
    model.train()
    for m in model.modules():  # dropout off: modern fine-tuning, and what vramkit models by default
        if isinstance(m, torch.nn.Dropout):
            m.p = 0.0
    fp32: set[int] = set()
    if mode == "qlora":
        to_standins(model)
        standin = {id(m.weight) for m in model.modules() if isinstance(m, Frozen4bitStandIn)}
        # peft prepare_model_for_kbit_training: every fp16/bf16 parameter that is not Params4bit → fp32.
        fp32 = {id(p) for p in model.parameters() if id(p) not in standin}
    if mode != "full":
        for p in model.parameters():
            p.requires_grad_(False)
    materialize(model, virtual, fp32)
    if mode != "full":
        exclude = lora_exclude(model)
        lora = LoraConfig(r=RANK, lora_alpha=2 * RANK, target_modules="all-linear", lora_dropout=0.0, exclude_modules=exclude or None)
        model = get_peft_model(model, lora)
    if ckpt:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    if ckpt and mode != "full":
        # transformers' gradient_checkpointing_enable on a peft model (and prepare_model_for_kbit_training):
        # a frozen embedding's output must require grad for the checkpointed blocks to be re-run.
        model.enable_input_require_grads()
    return model, cfg


def lora_exclude(model) -> list[str]:
    """Linears peft's all-linear would adapt but cannot run: an `nn.Linear` subclass with its own forward
    returning a tuple (Llama 4's `Llama4Router` returns scores and logits) breaks peft's
    `lora.Linear.forward` (`result.dtype` of a tuple), so it is excluded as a user has to."""
    head = model.get_output_embeddings()
    out = set()
    for name, m in model.named_modules():
        if isinstance(m, torch.nn.Linear) and m is not head and type(m).forward not in (torch.nn.Linear.forward, Frozen4bitStandIn.forward):
            out.add(name.rsplit(".", 1)[-1])
    return sorted(out)


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


def release() -> None:
    """Collect, and hand freed heap pages back to the OS: without malloc_trim, glibc keeps the pages of
    freed mid-sized tensors, and a config's settings pile up (Mixtral 8x7B reached 23 GiB by the 9th)."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except OSError:  # not glibc
        pass


def peak_gib() -> float:
    """This process's peak resident memory (VmHWM), for the log."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


class ChildError(Exception):
    """An exception raised in an isolated child, as `<type>: <message>`."""


def _child(conn, fn, args) -> None:
    try:
        out = fn(*args)
        print(f"  peak {peak_gib():.1f} GiB", flush=True)
        conn.send(("ok", out))
    except BaseException as e:  # noqa: BLE001 - reported to the parent
        conn.send(("err", f"{type(e).__name__}: {e}", traceback.format_exc()))
    finally:
        conn.close()


def isolated(fn, *args):
    """`fn(*args)` in a forked child, so every byte it allocated goes back when it exits: in one process
    the settings of a config pile up (Mixtral 8x7B grew ~1-5 GiB per setting and was killed for memory
    at 23 GiB on the 9th, with gc.collect and malloc_trim). The parent runs no kernels before forking
    (meta-device models only), so the child's thread pools start clean."""
    ctx = multiprocessing.get_context("fork")
    recv, send = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(send, fn, args))
    p.start()
    send.close()
    try:
        kind, *body = recv.recv()
    except EOFError:
        p.join()
        raise ChildError(f"ChildExited: exit code {p.exitcode} (a negative code is the signal: -9 when killed for memory)") from None
    p.join()
    if kind == "err":
        print(body[1], file=sys.stderr, flush=True)
        raise ChildError(body[0])
    return body[0]


def error_of(e: Exception) -> str:
    text = str(e) if isinstance(e, ChildError) else f"{type(e).__name__}: {e}"
    return text.splitlines()[0][:300]


def layer_weights(model) -> int:
    emb = {id(p) for m in (model.get_input_embeddings(), model.get_output_embeddings()) for p in m.parameters()}
    return sum(p.numel() for p in model.parameters() if id(p) not in emb)


def seq_of(cid: str) -> int:
    from transformers import AutoModelForCausalLM

    cfg = reduced_config(cid, "eager")
    small_vocab(cfg)
    with torch.device("meta"):
        meta = AutoModelForCausalLM.from_config(cfg, dtype=DTYPE)
    return SEQ_LARGE if layer_weights(meta) > LARGE_LAYER else SEQ


def saved(cid: str, attn: str, ckpt: bool, mode: str, virtual: bool, depth: int | None = None, seq: int = SEQ) -> dict:
    model, cfg = build(cid, attn, ckpt, mode, virtual, depth)
    rec = Recorder(model)
    ids = torch.randint(0, cfg.vocab_size, (BATCH, seq), generator=torch.Generator().manual_seed(1))
    with torch.autograd.graph.saved_tensors_hooks(rec.pack, lambda t: t):
        out = model(input_ids=ids, labels=ids)
    if not torch.isfinite(out.loss):
        raise RuntimeError(f"loss is {out.loss.item()}")
    totals = rec.totals()
    for h in rec.handles:
        h.remove()
    layers = cfg.num_hidden_layers
    res = {
        "perLayer": [totals.get(f"layer{i}", 0) for i in range(layers)],
        "outside": totals.get("outside", 0),
        "total": sum(totals.values()),
        "seq": seq,
        "logitsDtype": str(out.logits.dtype).replace("torch.", ""),
    }
    if experts_of(cfg):
        res["experts"] = experts_of(cfg)
    if mode != "full" and getattr(model, "peft_config", None):
        exclude = model.peft_config["default"].exclude_modules
        if exclude:
            res["loraExclude"] = sorted(exclude)
    del model, out, rec
    release()
    return res


def loss_peak(cid: str, mode: str) -> dict:
    """Allocator peak of the head and the loss (head input → its gradient), from CPU memory events."""
    from transformers import AutoModelForCausalLM

    cfg = reduced_config(cid, "eager", 1)  # every family has eager (Gemma 2 has no SDPA)
    cfg.num_hidden_layers = 1
    with no_init_weights(), torch.device("meta"):
        meta = AutoModelForCausalLM.from_config(cfg, dtype=DTYPE)
    dtype = torch.float32 if mode == "qlora" else DTYPE
    H = meta.get_output_embeddings().in_features
    V = meta.get_output_embeddings().out_features
    # Values do not change what is allocated; torch.empty's fresh pages are only read (the kernel's zero
    # page), so a 405B head (8.4 GB in fp32) costs no resident memory.
    w = torch.empty(V, H, dtype=dtype)
    h = torch.randn(BATCH, SEQ, H, dtype=dtype, requires_grad=True)
    ids = torch.randint(0, cfg.vocab_size, (BATCH, SEQ), generator=torch.Generator().manual_seed(1))
    cap = getattr(cfg, "final_logit_softcapping", None)
    with profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        # The model's own head: lm_head, Gemma 2's final soft-capping, transformers' ForCausalLMLoss.
        logits = F.linear(h, w)
        if cap:
            logits = torch.tanh(logits / cap) * cap
        loss = meta.loss_function(logits=logits, labels=ids, vocab_size=cfg.vocab_size)
        del logits
        loss.backward()
    events = sorted((e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"), key=lambda e: e.start_ns())
    cur = peak = 0
    for e in events:
        cur += e.nbytes()
        peak = max(peak, cur)
    res = {"peakBytes": peak, "tokens": BATCH * SEQ, "vocab": V, "logitsDtype": str(dtype).replace("torch.", ""), "softcap": bool(cap)}
    del w, h, meta
    release()
    return res


def settings(argv, only: str | None = None) -> list[tuple[str, bool, str]]:
    attns = [only] if only else [a.split("=", 1)[1] for a in argv if a.startswith("--attn=")] or ["eager", "sdpa"]
    modes = [a.split("=", 1)[1] for a in argv if a.startswith("--mode=")] or list(MODES)
    # With one attention (`id@attn`, the larger variants), the checkpointed rows run for `full` only: a
    # checkpointed block keeps its input whatever trains (the smaller configs record all three).
    return [
        (attn, ckpt, mode)
        for attn in attns
        for ckpt in (False, True)
        for mode in modes
        if not (only and ckpt and mode != "full")
    ]


def key(attn: str, ckpt: bool, mode: str) -> str:
    return f"{attn}/{'ckpt' if ckpt else 'no-ckpt'}/{mode}"


def run_config(cid: str, argv, attn_only: str | None = None) -> dict:
    row: dict = previous().get(cid, {}) if "--fresh" not in argv else {}
    virtual = "--real" not in argv
    seq = seq_of(cid)
    for attn, ckpt, mode in settings(argv, attn_only):
        k = key(attn, ckpt, mode)
        if "--resume" in argv and "perLayer" in row.get(k, {}):
            continue  # recorded by an earlier run cut short
        t0 = time.time()
        try:
            r = isolated(saved, cid, attn, ckpt, mode, virtual, None, seq)
            if k == "sdpa/no-ckpt/full" or "--all-depths" in argv:
                # One layer more: the repeating layer by differencing depths.
                r["totalNext"] = isolated(saved, cid, attn, ckpt, mode, virtual, len(r["perLayer"]) + 1, seq)["total"]
            row[k] = r
        except Exception as e:  # recorded, so a family that cannot run says why
            row[k] = {"error": error_of(e)}
            traceback.print_exc()
        print(cid, k, row[k].get("perLayer", row[k].get("error")), f"{time.time() - t0:.1f}s", flush=True)
        # Merged into the fixture after every setting, so a run cut short (or killed) keeps what it recorded.
        write_row(cid, row)
    loss: dict = {}
    for mode in ("full", "qlora"):
        try:
            loss[mode] = isolated(loss_peak, cid, mode)
        except Exception as e:
            loss[mode] = {"error": error_of(e)}
            traceback.print_exc()
        print(cid, "loss", mode, loss[mode], flush=True)
    row["loss"] = loss
    write_row(cid, row)
    return row


def check_virtual(cid: str) -> None:
    """Virtual weights save exactly what real weights save."""
    for attn, ckpt, mode in settings(sys.argv):
        a = saved(cid, attn, ckpt, mode, False)
        b = saved(cid, attn, ckpt, mode, True)
        same = a["perLayer"] == b["perLayer"] and a["outside"] == b["outside"]
        print(cid, key(attn, ckpt, mode), "real", a["perLayer"], "virtual", b["perLayer"], "same" if same else "DIFFERENT", flush=True)
        if not same:
            raise SystemExit(1)


def main() -> None:
    argv = sys.argv[1:]
    ids = [a for a in argv if not a.startswith("--")] or catalogue_ids()
    if "--check-virtual" in argv:
        for cid in ids:
            check_virtual(cid)
        return
    for arg in ids:
        # `<config id>@sdpa` runs one attention implementation for that config only.
        cid, _, attn_only = arg.partition("@")
        run_config(cid, argv, attn_only or None)


def write_row(cid: str, row: dict) -> None:
    """The fixture with `row` for `cid`, merged with what the fixture already holds."""
    models = {**previous(), cid: row}
    write_fixture(
        "activations.json",
        {
            "_script": "activations.py",
            "seq": SEQ,
            "layerVocab": LAYER_VOCAB,
            "batch": BATCH,
            "layers": LAYERS,
            "rank": RANK,
            "dtype": "bfloat16",
            "models": dict(sorted(models.items())),
        },
    )


def previous() -> dict:
    path = FIXTURES / "activations.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text()).get("models", {})


if __name__ == "__main__":
    main()
