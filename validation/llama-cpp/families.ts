import type { HarnessRun } from './runtime.js';

/** One catalogue model the harness loads: its config file and why it is in the set. */
export interface HarnessFamily {
  /** Fixture name (the GGUF architecture llama.cpp sees, and a tag when one architecture appears twice). */
  id: string;
  /** File under packages/models/catalogue/configs/. */
  config: string;
  note: string;
  /**
   * Write only the first N decoder layers (real widths, heads, experts and vocabulary), for models whose
   * full file would make llama.cpp's mmap prefetch read many GiB: every per-layer quantity is unchanged.
   */
  layers?: number;
}

/** The catalogue families llama.cpp loads, one representative each (the smallest config of the family). */
export const FAMILIES: readonly HarnessFamily[] = [
  {
    id: 'llama',
    config: 'meta-llama__Llama-3.2-1B-Instruct',
    note: 'llama 3 RoPE scaling: rope_freqs.weight in the file',
  },
  { id: 'llama-3.1-8b', config: 'meta-llama__Meta-Llama-3.1-8B', note: 'the 8B shapes most users run', layers: 8 },
  {
    id: 'mistral-v0.1',
    config: 'mistralai__Mistral-7B-v0.1',
    note: 'sliding_window 4096 in config.json, converted to `llama`: no SWA cache',
    layers: 8,
  },
  { id: 'qwen2', config: 'Qwen__Qwen2.5-1.5B', note: 'q/k/v biases' },
  { id: 'qwen3', config: 'Qwen__Qwen3-0.6B', note: 'q/k norms, head_dim ≠ hidden/heads' },
  { id: 'qwen3moe', config: 'Qwen__Qwen3-30B-A3B', note: 'MoE, 128 experts, top 8', layers: 4 },
  {
    id: 'phi3',
    config: 'microsoft__Phi-3-mini-4k-instruct',
    note: 'fused qkv and gate_up; sliding_window in the file, SWA disabled by llama.cpp',
  },
  { id: 'gemma2', config: 'google__gemma-2-2b', note: 'alternating SWA 4096, soft-capping' },
  { id: 'gemma3', config: 'google__gemma-3-1b-it', note: 'SWA 512 on 5 of 6 layers' },
  { id: 'gemma', config: 'google__gemma-2b', note: 'GeGLU, MQA, head_dim 256, vocab 256k' },
  { id: 'olmo2', config: 'allenai__OLMo-2-1124-7B', note: 'post-norms, full-width q/k norms', layers: 8 },
  {
    id: 'deepseek2',
    config: 'deepseek-ai__DeepSeek-V2-Lite',
    note: 'MLA (one 576-wide latent K row per cell, no V cache), 1 dense + MoE layers, 64 experts top 6, 2 shared',
    layers: 4,
  },
  {
    id: 'gpt-oss',
    config: 'openai__gpt-oss-20b',
    note: 'alternating SWA 128, attention sinks, biased experts (32, top 4)',
    layers: 4,
  },
  {
    id: 'mixtral',
    config: 'mistralai__Mixtral-8x7B-v0.1',
    note: 'converted to `llama` with 8 experts, top 2 (no SWA)',
    layers: 2,
  },
  { id: 'gpt2', config: 'openai-community__gpt2', note: 'learned positions, LayerNorm with biases, fused qkv, GELU' },
  {
    id: 'llama4',
    config: 'meta-llama__Llama-4-Scout-17B-16E-Instruct',
    note: 'chunked attention (8192) on 3 of 4 layers, no RoPE on the 4th, MoE 16 experts + shared',
    layers: 4,
  },
  {
    id: 'qwen3next',
    config: 'Qwen__Qwen3-Next-80B-A3B-Thinking',
    note: 'hybrid: Gated DeltaNet on 3 of 4 layers (f32 recurrent state per sequence), gated full attention on the 4th, 512 experts',
    layers: 4,
  },
];

/**
 * Batch shapes the base grid misses: a ubatch that is no multiple of 32 (the KQ mask pads its rows to
 * GGML_KQ_MASK_PAD) or of 64, split over sequences, and a context smaller than the ubatch, which clamps
 * n_batch and with it n_ubatch (src/llama-context.cpp: n_batch = min(n_ctx, n_batch) under causal
 * attention). The addon sets n_batch = n_ubatch, so `-b` above `-ub` cannot be recorded; by the same
 * source it changes no buffer (the reserve graph and the output buffer read n_ubatch and n_seq_max only).
 * `append-runs.ts` measures these alone and merges them into a family's fixture.
 */
export const BATCH_RUNS: readonly HarnessRun[] = [
  { nCtx: 4096, nSeqMax: 2, nUbatch: 100, flashAttn: 'off', typeK: 'f16', typeV: 'f16' },
  { nCtx: 4096, nSeqMax: 1, nUbatch: 100, flashAttn: 'on', typeK: 'f16', typeV: 'f16' },
  { nCtx: 6000, nSeqMax: 3, nUbatch: 96, flashAttn: 'on', typeK: 'f16', typeV: 'f16' },
  { nCtx: 300, nSeqMax: 1, nUbatch: 512, flashAttn: 'off', typeK: 'f16', typeV: 'f16' },
];

/**
 * The context grid: context sizes, sequences, ubatch, flash attention on/off/auto and K/V cache
 * types, including combinations llama.cpp refuses.
 */
export const GRID: readonly HarnessRun[] = [
  { nCtx: 4096, nSeqMax: 1, nUbatch: 512, flashAttn: 'off', typeK: 'f16', typeV: 'f16' },
  { nCtx: 5000, nSeqMax: 1, nUbatch: 512, flashAttn: 'on', typeK: 'f16', typeV: 'f16' },
  { nCtx: 5000, nSeqMax: 1, nUbatch: 512, flashAttn: 'auto', typeK: 'f16', typeV: 'f16' },
  { nCtx: 32768, nSeqMax: 4, nUbatch: 512, flashAttn: 'auto', typeK: 'f16', typeV: 'f16' },
  { nCtx: 10000, nSeqMax: 3, nUbatch: 512, flashAttn: 'off', typeK: 'f16', typeV: 'f16' },
  { nCtx: 8192, nSeqMax: 1, nUbatch: 2048, flashAttn: 'off', typeK: 'f16', typeV: 'f16' },
  { nCtx: 8192, nSeqMax: 1, nUbatch: 256, flashAttn: 'on', typeK: 'q8_0', typeV: 'q8_0' },
  { nCtx: 4096, nSeqMax: 2, nUbatch: 512, flashAttn: 'auto', typeK: 'q4_0', typeV: 'q4_0' },
  { nCtx: 4096, nSeqMax: 1, nUbatch: 512, flashAttn: 'off', typeK: 'q8_0', typeV: 'f16' },
  { nCtx: 4096, nSeqMax: 1, nUbatch: 512, flashAttn: 'off', typeK: 'f16', typeV: 'q8_0' },
  ...BATCH_RUNS,
];

/** The subset `npm test` re-runs against the live runtime (small models, three contexts). */
export const LIVE_FAMILIES: readonly string[] = ['llama', 'qwen3', 'gemma3', 'deepseek2'];
export const LIVE_GRID: readonly HarnessRun[] = [GRID[0]!, GRID[3]!, GRID[7]!];
