import type { Architecture } from '../model/architecture.js';
import type { BreakdownPart } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import type { InferenceWorkload } from '../inference/estimate-inference.js';
import type { PreparedModel } from '../model/prepare-model.js';
import type { WeightFormat } from '../formats/weight-format.js';
import { prepared, requireInt } from './devices.js';
import { requireEngineFormat } from './engine-profiles.js';
import { customGpu, type GpuSpec, gpuCapacityBytes } from './gpus.js';
import { type LlamaCppEstimate, type LlamaCppOptions, llamaCppMemory } from './llama-cpp.js';
import { type TransformersEstimate, transformersMemory } from './transformers.js';
import { type VllmEstimate, type VllmOptions, vllmMemory } from './vllm.js';

import type { EngineId } from './engine-profiles.js';

export type { EngineId } from './engine-profiles.js';

/** One serving question: a model, a format, GPUs, an engine with its flags, and the workload. */
export interface ServingOptions {
  engine: EngineId;
  model: Architecture | PreparedModel;
  /** Weight format (default bf16 for vLLM/transformers; required for llama.cpp, the GGUF file type). */
  format?: WeightFormat;
  gpus: readonly GpuSpec[];
  /** Tokens per sequence (llama.cpp: each of `batch` slots gets this many cells; vLLM: --max-model-len). Default 4096. */
  context?: number;
  /** Sequences at once (llama.cpp -np; vLLM requests of `context` that must fit the pool; transformers batch). Default 1. */
  batch?: number;
  /** llama.cpp flags; `ctxSize` and `parallel` here override context/batch. */
  llamaCpp?: Omit<LlamaCppOptions, 'model' | 'format' | 'gpus'>;
  /** vLLM flags; `maxModelLen` here overrides context. */
  vllm?: Omit<VllmOptions, 'model' | 'format' | 'gpu'>;
  /** transformers workload extras (dtypes, attention, logits, overhead). */
  transformers?: Omit<InferenceWorkload, 'context' | 'batch'>;
  /**
   * Memory kept free on every GPU for "fits" (default 1 GiB, the margin llama.cpp's `--fit` leaves);
   * within it the answer is "tight". vLLM keeps its own margin: 1 − gpu_memory_utilization.
   */
  marginBytes?: number;
}

/** Default free memory "fits" keeps on each GPU (llama.cpp common/arg.cpp --fit-target: 1024 MiB). */
export const DEFAULT_FIT_MARGIN_BYTES = 1024 * 1024 * 1024;

/** Per-GPU bytes in the JSON contract (bytes.weights is per GPU under TP/PP). */
export interface GpuBytes {
  id: string;
  name: string;
  capacityBytes: number;
  bytes: { weights: number; kvCache: number; activations: number; overhead: number; total: number };
  fits: boolean;
  /** Under the capacity but inside the margin (see {@link ServingOptions.marginBytes}). */
  tight?: boolean;
}

/** What limits a configuration. */
export type Binding = 'none' | 'gpu-memory' | 'kv-cache' | 'budget' | 'model-context' | 'max-num-seqs' | 'no-gpu';

/** One engine run at one (context, batch): per-GPU bytes, whether it fits, what binds, and the engine's own result. */
export interface EngineRun {
  gpus: GpuBytes[];
  fits: boolean;
  binding: Binding;
  raw: LlamaCppEstimate | VllmEstimate | TransformersEstimate;
  assumptions: string[];
}

const DEFAULT_CONTEXT = 4096;

function bytesOf(parts: Record<string, BreakdownPart>): GpuBytes['bytes'] {
  const weights = parts.weights?.bytes ?? 0;
  const kvCache = parts.kvCache?.bytes ?? 0;
  const activations = parts.activations?.bytes ?? 0;
  const overhead = parts.overhead?.bytes ?? 0;
  return { weights, kvCache, activations, overhead, total: weights + kvCache + activations + overhead };
}

/**
 * Runs the chosen engine's memory model at one context and batch.
 * @param o the serving question
 * @param context tokens per sequence
 * @param batch sequences at once
 * @throws InvalidInputError for bad flags, a missing llama.cpp format, or no GPU for vLLM
 */
export function runEngine(o: ServingOptions, context: number, batch: number): EngineRun {
  requireInt(context, 1, 'context', 'context (tokens)');
  requireInt(batch, 1, 'batch', 'batch (sequences)');
  if (o.engine === 'llama.cpp') {
    if (!o.format)
      throw new InvalidInputError([
        {
          path: 'format',
          message: 'llama.cpp runs GGUF files: pass the file type (e.g. Q4_K_M) or a GGUF file',
          received: undefined,
        },
      ]);
    requireEngineFormat('llama.cpp', o.format, prepared(o.model).inventorySource);
    const flags = o.llamaCpp ?? {};
    const parallel = flags.parallel ?? batch;
    // Without a GPU (and -ngl not 0), report what one device needs with every layer on it; -ngl 0 is CPU only.
    const noGpu = o.gpus.length === 0 && flags.nGpuLayers !== 0;
    const gpus = noGpu ? [unspecifiedGpu()] : o.gpus;
    const r = llamaCppMemory({
      ...flags,
      model: o.model,
      format: o.format,
      gpus,
      parallel,
      ctxSize: flags.ctxSize ?? context * parallel,
    });
    const margin = o.marginBytes ?? DEFAULT_FIT_MARGIN_BYTES;
    const out = r.devices.map((d) =>
      withMargin(
        {
          id: d.gpu.id,
          name: d.gpu.name,
          capacityBytes: noGpu ? 0 : d.capacityBytes,
          bytes: bytesOf(d.parts),
          fits: d.fits,
        },
        margin,
      ),
    );
    const shortContext = r.contextPerSequence < context;
    const assumptions = [...r.assumptions];
    if (noGpu) {
      assumptions.push('no --gpu given: every layer on one GPU; the GPU row is what that GPU needs');
      return { gpus: out, fits: false, binding: 'no-gpu', raw: r, assumptions };
    }
    const fits = out.every((g) => g.fits) && !shortContext;
    return {
      gpus: out,
      fits,
      binding: !out.every((g) => g.fits) ? 'gpu-memory' : shortContext ? 'kv-cache' : 'none',
      raw: r,
      assumptions,
    };
  }
  if (o.engine === 'vllm') {
    // vLLM gives every rank the same share, so in a mixed set the smallest GPU bounds each rank.
    const gpu = o.gpus.reduce<GpuSpec | undefined>(
      (a, g) => (!a || gpuCapacityBytes(g) < gpuCapacityBytes(a) ? g : a),
      undefined,
    );
    if (!gpu)
      throw new InvalidInputError([
        { path: 'gpus', message: 'vLLM needs a GPU: pass --gpu <id> or --gpu-memory <size>', received: [] },
      ]);
    const flags = o.vllm ?? {};
    const block = flags.blockSize ?? 16;
    if (flags.maxModelLen !== undefined && flags.maxModelLen < block) {
      throw new InvalidInputError([
        {
          path: 'vllm.maxModelLen',
          message: `--max-model-len ${flags.maxModelLen} is below one KV block of ${block} tokens; use at least ${block}`,
          received: flags.maxModelLen,
        },
      ]);
    }
    const tp = flags.tensorParallelSize ?? 1;
    const pp = flags.pipelineParallelSize ?? 1;
    const maxModelLen = flags.maxModelLen ?? context;
    const r = vllmMemory({
      ...flags,
      model: o.model,
      ...(o.format ? { format: o.format } : {}),
      gpu,
      maxModelLen,
      concurrencyTokens: context,
    });
    const blocksPerRequest = Math.ceil(context / r.blockSize);
    const poolFits = r.numGpuBlocks >= batch * blocksPerRequest;
    const seqsOk = batch <= (flags.maxNumSeqs ?? r.defaults.maxNumSeqs);
    const one = {
      id: gpu.id,
      name: gpu.name,
      capacityBytes: r.capacityBytes,
      bytes: bytesOf(r.parts),
      fits: r.fits && poolFits,
    };
    const fits = r.fits && poolFits && seqsOk && r.headroomOk;
    const binding: Binding =
      r.binding === 'budget'
        ? 'budget'
        : !r.headroomOk
          ? 'gpu-memory'
          : !r.fits || !poolFits
            ? 'kv-cache'
            : !seqsOk
              ? 'max-num-seqs'
              : 'none';
    const assumptions = [...r.assumptions];
    if (new Set(o.gpus.map((g) => g.id)).size > 1)
      assumptions.push(`mixed GPUs: every vLLM rank is sized for the smallest (${gpu.name})`);
    if (o.gpus.length > 1 && o.gpus.length !== tp * pp)
      assumptions.push(
        `${o.gpus.length} GPUs given but --tensor-parallel-size × --pipeline-parallel-size = ${tp * pp}; vLLM uses ${tp * pp}`,
      );
    return { gpus: Array.from({ length: tp * pp }, () => ({ ...one })), fits, binding, raw: r, assumptions };
  }
  const r = transformersMemory({
    ...(o.transformers ?? {}),
    model: o.model,
    ...(o.format ? { format: o.format } : {}),
    gpus: o.gpus,
    context,
    batch,
  });
  const capacity = o.gpus.reduce((s, g) => s + gpuCapacityBytes(g), 0);
  const g = withMargin(
    {
      id: o.gpus.map((g) => g.id).join('+') || 'none',
      name: o.gpus.map((g) => g.name).join(' + ') || 'no GPU',
      capacityBytes: capacity,
      bytes: bytesOf(r.parts),
      fits: r.fits,
    },
    o.marginBytes ?? DEFAULT_FIT_MARGIN_BYTES,
  );
  return { gpus: [g], fits: g.fits, binding: g.fits ? 'none' : 'gpu-memory', raw: r, assumptions: r.assumptions };
}

/** A placeholder device of unbounded capacity: "what one GPU needs" when none is given. */
function unspecifiedGpu(): GpuSpec {
  return { ...customGpu(Number.MAX_SAFE_INTEGER), id: 'any', name: 'one GPU (none given)' };
}

/** "fits" keeps `margin` bytes free; between capacity − margin and capacity it is "tight" (and does not fit). */
function withMargin(g: GpuBytes, margin: number): GpuBytes {
  const under = g.bytes.total <= g.capacityBytes;
  const fits = g.fits && g.bytes.total + margin <= g.capacityBytes;
  return { ...g, fits, ...(under && !fits ? { tight: true } : {}) };
}

/** Context and batch a serving question resolves to (defaults: 4096 tokens, 1 sequence). */
export function resolvedWorkload(o: ServingOptions): { context: number; batch: number } {
  const l = o.llamaCpp;
  if (o.engine === 'llama.cpp') {
    // llama.cpp: -np sequences share -c cells (each gets n_ctx / n_seq_max unless --kv-unified).
    const batch = o.batch ?? l?.parallel ?? 1;
    const context =
      o.context ??
      (l?.ctxSize ? (l.kvUnified ? l.ctxSize : Math.max(1, Math.floor(l.ctxSize / batch))) : DEFAULT_CONTEXT);
    return { context, batch };
  }
  return { context: o.context ?? o.vllm?.maxModelLen ?? DEFAULT_CONTEXT, batch: o.batch ?? 1 };
}

/** The model's own position limit, if stated. */
export function modelContextLimit(o: ServingOptions): number | undefined {
  return prepared(o.model).arch.maxPositionEmbeddings;
}
