"""Runs hf-mem and gguf-parser beside vramkit on the same local inputs and records what each answers
offline, with the ground truth where one exists. Writes comparison.json and comparison.md.

Usage (from the repository root, after `npm run build`):
  python validation/peers/make_gguf.py /tmp/vramkit-gguf
  python validation/peers/compare.py /tmp/vramkit-gguf GGUF_PARSER_BINARY

Ground truth: parameters from transformers (validation/fixtures/parameters.json); tensor-data bytes
by reading the file's tensor infos with the `gguf` package (GGUFReader: exact sizes of the data).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from gguf import GGUFReader

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
CTX = 2048


def run(cmd: list[str], env: dict | None = None) -> tuple[int, str]:
    p = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=300)
    return p.returncode, p.stdout if p.returncode == 0 else (p.stderr or p.stdout).strip().splitlines()[-1][:300]


def tensor_bytes(path: Path) -> tuple[int, int]:
    r = GGUFReader(str(path))
    return sum(int(t.n_bytes) for t in r.tensors), sum(int(t.n_elements) for t in r.tensors)


def main() -> None:
    gguf_dir, parser = Path(sys.argv[1]), sys.argv[2]
    truth_params = json.loads((ROOT / "validation/fixtures/parameters.json").read_text())["models"]
    rows = []
    for path in sorted(gguf_dir.glob("*.gguf")):
        cid = path.stem.rsplit("-", 1)[0]
        data_bytes, elements = tensor_bytes(path)
        row = {"file": path.name, "config": cid, "truth": {"parameters": truth_params[cid]["total"], "tensorDataBytes": data_bytes, "tensorElements": elements}}
        code, out = run([parser, "--path", str(path), "--json", "--ctx-size", str(CTX)])
        if code == 0:
            d = json.loads(out)
            v = d["estimate"]["items"][0]["vrams"][0]
            row["ggufParser"] = {"parameters": d["metadata"]["parameters"], "weightBytes": d["metadata"]["size"], "vramAtCtx": v["nonuma"], "ramAtCtx": d["estimate"]["items"][0]["ram"]["nonuma"]}
        else:
            row["ggufParser"] = {"error": out}
        code, out = run(["node", str(ROOT / "apps/cli/bin/vramkit.js"), "inspect", str(path), "--json"])
        vk = {"parameters": json.loads(out)["parameters"]["total"]} if code == 0 else {"error": out}
        code, out = run(["node", str(ROOT / "apps/cli/bin/vramkit.js"), "estimate", str(path), "--context", str(CTX), "--json"])
        if code == 0:
            b = json.loads(out)["bytes"]
            vk |= {"weightBytes": b["weights"], "totalAtCtx": b["total"]}
        else:
            vk["estimateError"] = out
        row["vramkit"] = vk
        rows.append(row)
    # hf-mem reads safetensors/GGUF metadata from the Hub only (--model-id); offline it cannot answer.
    code, out = run(["hf-mem", "--model-id", "HuggingFaceTB/SmolLM2-135M", "--json-output"], env={"HF_HUB_OFFLINE": "1"})
    hfmem = {"version": version("hf-mem"), "offline": "answered" if code == 0 else f"no answer: {out}"}
    body = {
        "generatedBy": "validation/peers/compare.py",
        "contextTokens": CTX,
        "peers": {"hf-mem": hfmem, "gguf-parser": {"build": os.environ.get("GGUF_PARSER_BUILD", "unknown")}, "gguf (reader)": version("gguf")},
        "rows": rows,
    }
    (HERE / "comparison.json").write_text(json.dumps(body, indent=1) + "\n")
    md = ["| file | what | ground truth | vramkit | gguf-parser | hf-mem |", "|---|---|---:|---:|---:|---|"]
    for r in rows:
        g, v, t = r["ggufParser"], r["vramkit"], r["truth"]
        md.append(f"| {r['file']} | parameters | {t['parameters']:,} | {v.get('parameters', '—'):,} | {g.get('parameters', '—'):,} | offline: no answer |")
        md.append(f"| {r['file']} | weight bytes | {t['tensorDataBytes']:,} | {v.get('weightBytes', 0):,} | {g.get('weightBytes', 0):,} | offline: no answer |")
        md.append(f"| {r['file']} | GPU total at {CTX} tokens | (llama.cpp not run offline) | {v.get('totalAtCtx', 0):,} | {g.get('vramAtCtx', 0):,} | offline: no answer |")
    md.append("")
    md.append(f"hf-mem {hfmem['version']}: {hfmem['offline']}.")
    (HERE / "comparison.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))


if __name__ == "__main__":
    main()
