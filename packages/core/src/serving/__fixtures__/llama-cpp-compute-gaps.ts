/**
 * The llama.cpp harness runs whose CPU compute buffer vramkit's model misses by more than 5%, each with
 * its cause (measured with variants of each fixture: validation/llama-cpp/variants.ts). One table, read
 * by core's fixture test (which checks the list is exactly the runs outside 5%) and by the accuracy report.
 */
import type { PreparedModel } from '../../model/prepare-model.js';
import type { LlamaCppOptions } from '../llama-cpp.js';
import { asStored, type LlamaCppFixture } from './llama-cpp-fixtures.js';

/** A run as the gap table and the accuracy report name it: `-c 4096 -np 1 -ub 512 -fa off -ctk f16 -ctv f16`. */
/** The options of `llamaCppMemory` for one recorded run: the file as stored, every layer on the CPU. */
export function llamaCppRunOptions(model: PreparedModel, r: LlamaCppFixture['runs'][number]['run']): LlamaCppOptions {
  return {
    model,
    format: asStored,
    gpus: [],
    ctxSize: r.nCtx,
    parallel: r.nSeqMax,
    batchSize: r.nUbatch,
    ubatchSize: r.nUbatch,
    flashAttn: r.flashAttn,
    cacheTypeK: r.typeK,
    cacheTypeV: r.typeV,
  };
}

export function llamaCppRunLabel(r: LlamaCppFixture['runs'][number]['run']): string {
  return `-c ${r.nCtx} -np ${r.nSeqMax} -ub ${r.nUbatch} -fa ${r.flashAttn} -ctk ${r.typeK} -ctv ${r.typeV}`;
}

const PHI3_FA =
  'ggml-alloc places the logits block above a still-live attention block: measured with variants of the phi3 file, ' +
  'the peak is independent of n_ff (4096 vs 8192) and of n_layer (1-4), is the attention phase at 11 row widths with ' +
  'n_vocab 8000 (fused qkv output live while its Q/K/V views are roped and stored: src/llama-graph.cpp build_qkv), ' +
  'and logits + 16 MiB with the real vocabulary; the model adds phases, not placements';
const MOE_FA =
  'MoE with flash attention: the logits block is planned 28-32 MiB above the live set once a MoE layer is not the last ' +
  '(deepseek2 variants: +4.0 MiB with one MoE layer, +32.27 MiB with two or more, the same at n_vocab 32000 and 102400): ' +
  "a placement by ggml-alloc's free-block search (ggml/src/ggml-alloc.c), not a tensor the model misses";
const MLA =
  "MLA (deepseek2): besides the placement above (+32.27 MiB at n_ubatch 512, twice that at 1024 tokens' worth), the " +
  'absorbed path (q_nope x wk_b, concat with q_pe: src/models/deepseek2.cpp) is modelled as plain attention';

/**
 * Runs whose CPU compute buffer the model misses by more than 5%, each with its cause. Checked by the test
 * below so that the list cannot outlive a fix.
 */
export const COMPUTE_GAPS = new Map<string, string>([
  ['phi3 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', PHI3_FA],
  ['phi3 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', PHI3_FA],
  ['phi3 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', PHI3_FA],
  ['phi3 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0', PHI3_FA],
  ['phi3 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0', PHI3_FA],
  [
    'mistral-v0.1 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0',
    'the model over-estimates (+6.7%): at n_ubatch 256 the MLP phase (gate, up, GLU output) shares its blocks with the attention phase',
  ],
  ['gpt-oss -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MOE_FA],
  ['gpt-oss -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['gpt-oss -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0', MOE_FA],
  ['llama4 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0', MOE_FA],
  [
    'gpt2 -c 4096 -np 1 -ub 512 -fa off -ctk q8_0 -ctv f16',
    'the model plans one n_kv x n_ubatch f32 buffer less for a quantized K without flash attention, as every other ' +
      'family measures; gpt2 (fused qkv, LayerNorm, learned positions) does not show that saving: cause not found',
  ],
  ['deepseek2 -c 4096 -np 1 -ub 512 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 10000 -np 3 -ub 512 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 8192 -np 1 -ub 2048 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0', MLA],
  ['deepseek2 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0', MLA],
]);
