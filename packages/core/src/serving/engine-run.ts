import type { Breakdown, BreakdownPart } from '../memory/breakdown.js';
import { formatCount } from '../memory/units.js';
import { customGpu, type GpuSpec } from './gpus.js';
import type { LlamaCppEstimate } from './llama-cpp.js';
import type { ResolvedSpeculation } from './speculative.js';
import type { TransformersEstimate } from './transformers.js';
import type { VllmEstimate } from './vllm.js';

/** Default free memory "fits" keeps on each GPU (llama.cpp common/arg.cpp --fit-target: 1024 MiB). */
export const DEFAULT_FIT_MARGIN_BYTES = 1024 * 1024 * 1024;

/** Per-GPU bytes in the JSON contract (bytes.weights is per GPU under TP/PP). */
export interface GpuBytes {
  id: string;
  name: string;
  capacityBytes: number;
  /** `total` includes {@link GpuBytes.draftBytes}. */
  bytes: { weights: number; kvCache: number; activations: number; overhead: number; total: number };
  /** A speculative draft model's weights, KV cache and buffers on this GPU (counted in `bytes.total`). */
  draftBytes?: number;
  fits: boolean;
  /** Under the capacity but inside the margin (see ServingOptions.marginBytes). */
  tight?: boolean;
}

/** What limits a configuration. */
export type Binding = 'none' | 'gpu-memory' | 'kv-cache' | 'budget' | 'model-context' | 'max-num-seqs' | 'no-gpu';

/** The draft of a speculative run: its resolved settings and what llama.cpp applied. */
export interface DraftRun {
  resolved: ResolvedSpeculation;
  /** llama.cpp: `-ngld` as applied, and the cells of each draft context. */
  gpuLayers?: number;
  context?: number;
  /** llama.cpp: draft bytes in host RAM. */
  hostBytes?: number;
}

/** One engine run at one (context, batch): per-GPU bytes, whether it fits, what binds, and the engine's own result. */
export interface EngineRun {
  gpus: GpuBytes[];
  fits: boolean;
  binding: Binding;
  raw: LlamaCppEstimate | VllmEstimate | TransformersEstimate;
  assumptions: string[];
  draft?: DraftRun;
}

/** Engine figures of the JSON contract (issue 6 §7). */
export interface EngineFigures {
  name: 'llama.cpp' | 'vllm' | 'transformers';
  /** Memory the engine leaves for its KV cache on one GPU (the most constrained one). */
  kvBudgetBytes: number;
  /** Tokens that budget holds. */
  kvTokens: number;
  /** Requests of the configured context that fit at once. */
  maxConcurrency: number;
  /** Largest context at batch 1. */
  maxContext: number;
  /** llama.cpp: layers offloaded (`-ngl`, counted as llama.cpp prints them). */
  gpuLayers?: number;
  /** llama.cpp: bytes that stay in CPU RAM (weights, KV of CPU layers, host compute and output buffers). */
  hostBytes?: number;
  /** vLLM: "Maximum concurrency for N tokens per request: 6.65x" (KV tokens / max_model_len, 2 decimals). */
  concurrencyFactor?: number;
}

/** The per-GPU bytes of a breakdown's parts, a `draft` part counted in the total. */
export function bytesOf(parts: Record<string, BreakdownPart>): GpuBytes['bytes'] {
  const weights = parts.weights?.bytes ?? 0;
  const kvCache = parts.kvCache?.bytes ?? 0;
  const activations = parts.activations?.bytes ?? 0;
  const overhead = parts.overhead?.bytes ?? 0;
  const draft = parts.draft?.bytes ?? 0;
  return { weights, kvCache, activations, overhead, total: weights + kvCache + activations + overhead + draft };
}

/** The GPU's bytes from its parts, with `draftBytes` when a draft model is among them. */
export function gpuBytesOf(parts: Record<string, BreakdownPart>): Pick<GpuBytes, 'bytes' | 'draftBytes'> {
  return { bytes: bytesOf(parts), ...(parts.draft ? { draftBytes: parts.draft.bytes } : {}) };
}

/** "fits" keeps `margin` bytes free; between capacity − margin and capacity it is "tight" (and does not fit). */
export function withMargin(g: GpuBytes, margin: number): GpuBytes {
  const under = g.bytes.total <= g.capacityBytes;
  const fits = g.fits && g.bytes.total + margin <= g.capacityBytes;
  return { ...g, fits, ...(under && !fits ? { tight: true } : {}) };
}

/** A placeholder device of unbounded capacity: "what one GPU needs" when none is given. */
export function unspecifiedGpu(): GpuSpec {
  return { ...customGpu(Number.MAX_SAFE_INTEGER), id: 'any', name: 'one GPU (none given)' };
}

/** A breakdown as the estimate reports it: one for the GPU, or per llama.cpp device plus host RAM. */
export type EngineBreakdown = Breakdown | { devices: Breakdown[]; host: Breakdown };

/** Engines whose context is tokens per sequence and whose batch is sequences (vLLM, transformers). */
export const sequenceWorkload = {
  withWorkload<O extends { context?: number; batch?: number }>(o: O, w: { context?: number; batch?: number }): O {
    return {
      ...o,
      ...(w.context !== undefined ? { context: w.context } : {}),
      ...(w.batch !== undefined ? { batch: w.batch } : {}),
    };
  },
  workloadLabel(context: number, batch: number): string {
    return `context ${formatCount(context)} × batch ${batch}`;
  },
};
