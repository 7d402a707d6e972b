// Measures the MoE, MLA and hybrid fixture families again with a 16,384-token vocabulary, so that the CPU
// compute buffer peaks inside the layers (experts, latent attention, delta-net) instead of on the logits,
// and writes them as fixtures for core's graph-builder tests:
// `npm run build && node validation/llama-cpp/run.mjs validation/llama-cpp/small-vocab.ts <family>` (one family per
// process: loading a second model in the same process has aborted this build).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FAMILIES, GRID } from './families.js';
import { measureFamily } from './fixture.js';

const OUT = 'packages/core/src/serving/ggml-alloc/__fixtures__/small-vocab';
// Mixtral is left out: its 32,000-token logits are already below its experts' peak.
const IDS = ['qwen3moe', 'gpt-oss', 'llama4', 'deepseek2', 'qwen3next'];
// 16,384: an 8,000-token vocabulary makes this llama.cpp build abort for gpt-oss (ggml-backend.cpp: a node no backend takes).
const VOCAB = 16384;
// Flash attention off and on, three sequences (a ubatch rounded up to 513 tokens), a q8_0 cache (Hadamard
// rotations) at -ub 256, two sequences with q4_0.
const RUNS = [GRID[0]!, GRID[1]!, GRID[4]!, GRID[6]!, GRID[7]!];
// deepseek2 with flash attention aborts in this build on some hosts (ggml-backend.cpp: GGML_ASSERT(*cur_backend_id
// != -1), the full-vocabulary file included): its variant keeps the runs without.
const runsOf = (id: string) => (id === 'deepseek2' ? RUNS.filter((r) => r.flashAttn === 'off') : RUNS);

const only = process.argv.slice(3);
mkdirSync(OUT, { recursive: true });
for (const f of FAMILIES.filter((x) => IDS.includes(x.id) && (only.length === 0 || only.includes(x.id)))) {
  const config = JSON.parse(readFileSync(`packages/models/catalogue/configs/${f.config}.json`, 'utf8')) as Record<
    string,
    unknown
  >;
  const text = config.text_config as Record<string, unknown> | undefined;
  const small = text ? { ...config, text_config: { ...text, vocab_size: VOCAB } } : { ...config, vocab_size: VOCAB };
  const fixture = await measureFamily({ ...f, note: `${f.note}; vocabulary cut to ${VOCAB}` }, small, runsOf(f.id));
  writeFileSync(`${OUT}/${f.id}.json`, `${JSON.stringify(fixture, null, 2)}\n`);
  for (const r of fixture.runs) console.log(f.id, JSON.stringify(r.run), r.computeMib ?? r.error);
}
