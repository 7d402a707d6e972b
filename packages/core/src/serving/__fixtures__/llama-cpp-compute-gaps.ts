/**
 * The llama.cpp harness runs whose CPU compute buffer vramkit's model misses by more than 5%, each with
 * its cause (measured with variants of each fixture: validation/llama-cpp/variants.ts). Families with a
 * ggml-alloc graph builder (serving/ggml-alloc/) are simulated and exact; what remains here uses the
 * fitted phases until its builder lands. One table, read
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
  ['gpt-oss -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MOE_FA],
  ['gpt-oss -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['gpt-oss -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MOE_FA],
  ['llama4 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0', MOE_FA],
  ['llama4 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0', MOE_FA],
  ['deepseek2 -c 4096 -np 1 -ub 512 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 5000 -np 1 -ub 512 -fa on -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 5000 -np 1 -ub 512 -fa auto -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 32768 -np 4 -ub 512 -fa auto -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 10000 -np 3 -ub 512 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 8192 -np 1 -ub 2048 -fa off -ctk f16 -ctv f16', MLA],
  ['deepseek2 -c 8192 -np 1 -ub 256 -fa on -ctk q8_0 -ctv q8_0', MLA],
  ['deepseek2 -c 4096 -np 2 -ub 512 -fa auto -ctk q4_0 -ctv q4_0', MLA],
]);
