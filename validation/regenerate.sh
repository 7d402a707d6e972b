#!/usr/bin/env bash
# Regenerates validation/fixtures/*.json from the real libraries (offline: configs from the catalogue,
# models on the meta device; activations on the CPU at 2 layers). Usage: bash validation/regenerate.sh
set -euo pipefail
cd "$(dirname "$0")"
python -m venv .venv
.venv/bin/pip install -q -r requirements.txt
.venv/bin/python parameters.py
.venv/bin/python lora_counts.py
.venv/bin/python activations.py   # every catalogue config, all settings: about an hour on two cores
# The scripts write plain json.dumps; the repository's formatter owns the committed layout.
(cd .. && npx biome format --write validation/fixtures/ >/dev/null)
