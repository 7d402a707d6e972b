/**
 * The llama.cpp harness runs whose CPU compute buffer vramkit's model misses by more than 5%, each with
 * its cause (measured with variants of each fixture: validation/llama-cpp/variants.ts). Families with a
 * ggml-alloc graph builder (serving/ggml-alloc/) are simulated; a family without one uses the fitted
 * phases and lists its misses here. One table, read
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

/**
 * Runs whose CPU compute buffer the model misses by more than 5%, each with its cause. Checked by the test
 * below so that the list cannot outlive a fix. Empty: every recorded family has a graph builder, and the
 * simulated plan reproduces every run.
 */
export const COMPUTE_GAPS = new Map<string, string>([]);
