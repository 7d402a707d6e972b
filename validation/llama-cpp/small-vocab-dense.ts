// Measures the dense fixture families again with a 16,384-token vocabulary (2,048 for the narrowest), so that the CPU compute
// buffer peaks inside the layers (attention with flash attention, the FFN) rather than on the logits,
// and writes them as fixtures for core's dense graph-builder test (ggml-alloc/dense.test.ts):
// `npm run build && node validation/llama-cpp/run.mjs validation/llama-cpp/small-vocab-dense.ts <family>`
// (one family per process: loading a second model in one process has aborted this build).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FAMILIES, GRID } from './families.js';
import { measureFamily } from './fixture.js';

const OUT = 'packages/core/src/serving/ggml-alloc/__fixtures__/small-vocab-dense';
export const DENSE_IDS = [
  'llama',
  'mistral-v0.1',
  'qwen2',
  'qwen3',
  'phi3',
  'gemma',
  'gemma2',
  'gemma3',
  'olmo2',
  'gpt2',
];
const VOCAB = 16384;
// Narrow models whose 16,384-token logits still top their FFN (n_ff 3,072) get a smaller vocabulary.
const VOCAB_OF: Record<string, number> = { qwen3: 2048, gpt2: 2048 };
// Flash attention on (the peak no longer on the logits), three sequences (513 tokens), q8_0 at -ub 256,
// q4_0 with two sequences, and one run without flash attention.
const RUNS = [GRID[1]!, GRID[4]!, GRID[6]!, GRID[7]!, GRID[0]!];

const only = process.argv.slice(3);
mkdirSync(OUT, { recursive: true });
for (const f of FAMILIES.filter((x) => DENSE_IDS.includes(x.id) && (only.length === 0 || only.includes(x.id)))) {
  const config = JSON.parse(readFileSync(`packages/models/catalogue/configs/${f.config}.json`, 'utf8')) as Record<
    string,
    unknown
  >;
  const text = config.text_config as Record<string, unknown> | undefined;
  const vocab = VOCAB_OF[f.id] ?? VOCAB;
  const small = text ? { ...config, text_config: { ...text, vocab_size: vocab } } : { ...config, vocab_size: vocab };
  // Two layers keep each load small; every per-layer quantity is the family's.
  const fixture = await measureFamily({ ...f, layers: 2, note: `${f.note}; vocabulary cut to ${vocab}` }, small, RUNS);
  writeFileSync(`${OUT}/${f.id}.json`, `${JSON.stringify(fixture, null, 2)}\n`);
  for (const r of fixture.runs) console.log(f.id, JSON.stringify(r.run), r.computeMib ?? r.error);
}
