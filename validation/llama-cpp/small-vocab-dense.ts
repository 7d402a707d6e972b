// Measures the dense fixture families again with a 16,384-token vocabulary (2,048 for the narrowest), so that the CPU compute
// buffer peaks inside the layers (attention with flash attention, the FFN) rather than on the logits,
// and writes them as fixtures for core's dense graph-builder test (ggml-alloc/dense.test.ts):
// `npm run build && node validation/llama-cpp/run.mjs validation/llama-cpp/small-vocab-dense.ts <family>`
// (one family per process: loading a second model in one process has aborted this build).
import { GRID } from './families.js';
import { measureSmallVocab } from './small-vocab-run.js';

// Narrow models whose 16,384-token logits still top their FFN (n_ff 3,072) get a smaller vocabulary.
const VOCAB_OF: Record<string, number> = { qwen3: 2048, gpt2: 2048 };
// Flash attention on (the peak no longer on the logits), three sequences (513 tokens), q8_0 at -ub 256,
// q4_0 with two sequences, and one run without flash attention.
const RUNS = [GRID[1]!, GRID[4]!, GRID[6]!, GRID[7]!, GRID[0]!];

await measureSmallVocab({
  out: 'packages/core/src/serving/ggml-alloc/__fixtures__/small-vocab-dense',
  ids: ['llama', 'mistral-v0.1', 'qwen2', 'qwen3', 'phi3', 'gemma', 'gemma2', 'gemma3', 'olmo2', 'gpt2'],
  vocabOf: (id) => VOCAB_OF[id] ?? 16384,
  runsOf: () => RUNS,
  // Two layers keep each load small; every per-layer quantity is the family's.
  layers: 2,
});
