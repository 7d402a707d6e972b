// Measures the MoE, MLA and hybrid fixture families again with a 16,384-token vocabulary, so that the CPU
// compute buffer peaks inside the layers (experts, latent attention, delta-net) instead of on the logits,
// and writes them as fixtures for core's graph-builder tests:
// `npm run build && node validation/llama-cpp/run.mjs validation/llama-cpp/small-vocab.ts <family>` (one family per
// process: loading a second model in the same process has aborted this build).
import { GRID } from './families.js';
import { measureSmallVocab } from './small-vocab-run.js';

// Flash attention off and on, three sequences (a ubatch rounded up to 513 tokens), a q8_0 cache (Hadamard
// rotations) at -ub 256, two sequences with q4_0.
const RUNS = [GRID[0]!, GRID[1]!, GRID[4]!, GRID[6]!, GRID[7]!];

await measureSmallVocab({
  out: 'packages/core/src/serving/ggml-alloc/__fixtures__/small-vocab',
  // Mixtral is left out: its 32,000-token logits are already below its experts' peak.
  ids: ['qwen3moe', 'gpt-oss', 'llama4', 'deepseek2', 'qwen3next'],
  // 16,384: an 8,000-token vocabulary makes this llama.cpp build abort for gpt-oss (ggml-backend.cpp: a node no backend takes).
  vocabOf: () => 16384,
  // deepseek2 with flash attention aborts in this build on some hosts (ggml-backend.cpp: GGML_ASSERT(*cur_backend_id
  // != -1), the full-vocabulary file included): its variant keeps the runs without.
  runsOf: (id) => (id === 'deepseek2' ? RUNS.filter((r) => r.flashAttn === 'off') : RUNS),
});
