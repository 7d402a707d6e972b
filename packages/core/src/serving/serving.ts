import type { Architecture } from '../model/architecture.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { InferenceWorkload } from '../inference/estimate-inference.js';
import type { PreparedModel } from '../model/prepare-model.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { prepared, requireInt } from './devices.js';
import { type EngineId, engineProfile, requireEngineFormat } from './engine-profiles.js';
import type { EngineRun } from './engine-run.js';
import type { GpuSpec } from './gpus.js';
import type { LlamaCppOptions } from './llama-cpp.js';
import type { SpeculativeServing } from './speculative.js';
import type { VllmOptions } from './vllm.js';

export type { EngineId } from './engine-profiles.js';
export { type Binding, DEFAULT_FIT_MARGIN_BYTES, type EngineRun, type GpuBytes } from './engine-run.js';

/** One serving question: a model, a format, GPUs, an engine with its flags, and the workload. */
export interface ServingOptions {
  engine: EngineId;
  model: Architecture | PreparedModel;
  /** Weight format (default bf16 for vLLM/transformers; required for llama.cpp, the GGUF file type). */
  format?: WeightFormat;
  gpus: readonly GpuSpec[];
  /** Tokens per sequence (llama.cpp: each of `batch` slots gets this many cells; vLLM: max_model_len). Default 4096. */
  context?: number;
  /** Sequences at once (llama.cpp -np; vLLM requests of `context` that must fit the pool; transformers batch). Default 1. */
  batch?: number;
  /** llama.cpp flags; `ctxSize` and `parallel` here override context/batch. */
  llamaCpp?: Omit<LlamaCppOptions, 'model' | 'format' | 'gpus'>;
  /** vLLM flags; `maxModelLen` here overrides context. */
  vllm?: Omit<VllmOptions, 'model' | 'format' | 'gpu' | 'draft'>;
  /** transformers workload extras (dtypes, attention, logits, overhead). */
  transformers?: Omit<InferenceWorkload, 'context' | 'batch'>;
  /**
   * Speculative decoding as the engine runs it: a draft model (llama.cpp `-md`, vLLM `draft_model`), an
   * EAGLE head or the model's MTP layers (vLLM); its weights, KV cache and buffers join the estimate.
   */
  speculative?: SpeculativeServing;
  /**
   * Memory kept free on every GPU for "fits" (default 1 GiB, the margin llama.cpp's `--fit` leaves);
   * within it the answer is "tight". vLLM keeps its own margin: 1 − gpu_memory_utilization.
   */
  marginBytes?: number;
}

/**
 * Runs the chosen engine's memory model at one context and batch (the engine profile's `run`).
 * @param o the serving question
 * @param context tokens per sequence
 * @param batch sequences at once
 * @throws InvalidInputError for bad flags, a missing llama.cpp format, or no GPU for vLLM
 */
export function runEngine(o: ServingOptions, context: number, batch: number): EngineRun {
  requireInt(context, 1, 'context', 'context (tokens)');
  requireInt(batch, 1, 'batch', 'batch (sequences)');
  const profile = engineProfile(o.engine);
  if (profile.requiresFormat && !o.format)
    throw new InvalidInputError([
      {
        path: 'format',
        message: `${profile.name} runs ${profile.formatNote}: give the file type (e.g. ${profile.defaultFormat.id}) or a GGUF file`,
        received: undefined,
      },
    ]);
  if (o.format) requireEngineFormat(o.engine, o.format, prepared(o.model).inventorySource);
  return profile.run(o, context, batch);
}

/** Context and batch a serving question resolves to (defaults: 4096 tokens, 1 sequence). */
export function resolvedWorkload(o: ServingOptions): { context: number; batch: number } {
  return engineProfile(o.engine).workload(o);
}

/** The model's own position limit, if stated. */
export function modelContextLimit(o: ServingOptions): number | undefined {
  return prepared(o.model).arch.maxPositionEmbeddings;
}
