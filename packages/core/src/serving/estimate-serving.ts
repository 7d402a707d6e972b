import type { Breakdown } from '../memory/breakdown.js';
import type { GpuSpec } from './gpus.js';
import type { LlamaCppEstimate } from './llama-cpp.js';
import { decodeThroughput, prefillThroughput } from './throughput.js';
import {
  type Binding,
  type EngineId,
  type EngineRun,
  type GpuBytes,
  resolvedWorkload,
  runEngine,
  type ServingOptions,
} from './serving.js';
import { solveMaxBatch, solveMaxContext } from './solvers.js';
import type { VllmEstimate } from './vllm.js';
import { requireExactTotal } from '../validate.js';

/** Engine figures of the JSON contract (issue 6 §7). */
export interface EngineFigures {
  name: EngineId;
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

/** Result of {@link estimateServing}. */
export interface ServingEstimate {
  engine: EngineFigures;
  context: number;
  batch: number;
  /** Bytes of the most loaded GPU (bytes.weights is per GPU under TP/PP). */
  bytes: GpuBytes['bytes'];
  gpus: GpuBytes[];
  fits: boolean;
  binding: Binding;
  /** The engine's refusal to start, with its remedy (vLLM: KV smaller than one max_model_len request). */
  refusal?: string;
  /** The engine's own detailed breakdown (per device for llama.cpp). */
  breakdown: Breakdown | { devices: Breakdown[]; host: Breakdown };
  /** Expected speed (a model, see {@link decodeThroughput}); absent when the GPU has no bandwidth figure or it does not fit. */
  throughput?: { decodeTokensPerSecond: number; prefillTokensPerSecond?: number; note: string };
  assumptions: string[];
}

/**
 * Memory of serving a model on an engine, in the CLI's JSON contract: per-GPU bytes, whether it fits
 * and what binds, and the engine figures (KV budget and tokens, max concurrency, max context).
 * @param o the serving question
 * @returns per-GPU bytes, engine figures, the engine's breakdown and the assumptions made
 * @throws InvalidInputError for bad flags (see {@link runEngine})
 */
export function estimateServing(o: ServingOptions): ServingEstimate {
  const { context, batch } = resolvedWorkload(o);
  const run = runEngine(o, context, batch);
  // Bounded inputs can still multiply past 2^53 (context × sequences × KV width): a typed error, not 1e21 bytes.
  for (const g of run.gpus)
    if (!Number.isSafeInteger(g.bytes.total)) requireExactTotal(g.bytes.total, 'context', { context, batch });
  const mostLoaded = run.gpus.reduce(
    (a, g) => (g.bytes.total / Math.max(1, g.capacityBytes) > a.bytes.total / Math.max(1, a.capacityBytes) ? g : a),
    run.gpus[0] ?? emptyGpu(),
  );
  let engine: EngineFigures;
  let breakdown: ServingEstimate['breakdown'];
  let refusal: string | undefined;
  let reportedContext = context;
  let reportedBatch = batch;
  if (o.engine === 'vllm') {
    const r = run.raw as VllmEstimate;
    engine = {
      name: 'vllm',
      kvBudgetBytes: r.kvBudgetBytes,
      kvTokens: r.kvTokens,
      maxConcurrency: r.maxConcurrency,
      maxContext: r.maxContext,
      concurrencyFactor: r.concurrencyFactor,
    };
    if (r.refusal) refusal = r.refusal;
    breakdown = { total: r.total, parts: r.parts };
  } else if (o.engine === 'llama.cpp') {
    const r = run.raw as LlamaCppEstimate;
    // Per GPU: capacity minus everything but the KV cache, over the KV bytes per cell of its layers.
    let kvBudgetBytes = Number.POSITIVE_INFINITY;
    let kvTokens = Number.POSITIVE_INFINITY;
    if (run.binding !== 'no-gpu') {
      for (const d of r.devices) {
        if (d.layers === 0) continue;
        const kv = d.parts.kvCache!.bytes;
        const budget = Math.max(0, d.capacityBytes - (d.total - kv));
        const perCell = kv / (r.kvCells * r.kvStreams);
        if (budget < kvBudgetBytes) kvBudgetBytes = budget;
        if (perCell > 0) kvTokens = Math.min(kvTokens, Math.floor(budget / perCell));
      }
    }
    if (!Number.isFinite(kvBudgetBytes)) kvBudgetBytes = 0;
    if (!Number.isFinite(kvTokens)) kvTokens = 0;
    const noGpu = run.binding === 'no-gpu';
    engine = {
      name: 'llama.cpp',
      kvBudgetBytes,
      kvTokens,
      // llama-server runs -np slots at once: that is its concurrency, whatever memory would allow.
      maxConcurrency: r.parallel,
      maxContext: noGpu ? r.contextPerSequence : solveMaxContext(o, { batch: 1 }).value,
      gpuLayers: r.gpuLayers,
      hostBytes: r.host.total,
    };
    reportedContext = r.contextPerSequence;
    reportedBatch = r.parallel;
    breakdown = { devices: r.devices.map((d) => ({ total: d.total, parts: d.parts })), host: r.host };
  } else {
    const g = run.gpus[0]!;
    const kv = g.bytes.kvCache;
    const kvBudgetBytes = Math.max(0, g.capacityBytes - (g.bytes.total - kv));
    const perToken = kv / (context * batch);
    engine = {
      name: 'transformers',
      kvBudgetBytes,
      kvTokens: perToken > 0 ? Math.floor(kvBudgetBytes / perToken) : 0,
      maxConcurrency: solveMaxBatch(o, { context, maxBatch: 1024 }).value,
      maxContext: solveMaxContext(o, { batch: 1 }).value,
    };
    breakdown = { total: g.bytes.total, parts: (run.raw as { parts: Breakdown['parts'] }).parts };
  }
  const throughput = run.fits ? speed(o, run.raw, context, batch) : undefined;
  return {
    engine,
    context: reportedContext,
    batch: reportedBatch,
    bytes: mostLoaded.bytes,
    gpus: run.gpus,
    fits: run.fits,
    binding: run.binding,
    ...(refusal ? { refusal } : {}),
    breakdown,
    ...(throughput ? { throughput } : {}),
    assumptions: run.assumptions,
  };
}

/**
 * Decode and prefill speed of a run that fits. llama.cpp: layers on several GPUs run one after the
 * other, so the slowest GPU's bandwidth is used, and the CPU-resident share is read from host RAM.
 * vLLM: tensor parallelism reads each rank's share at once (bandwidth × tp).
 */
function speed(
  o: ServingOptions,
  raw: EngineRun['raw'],
  context: number,
  batch: number,
): ServingEstimate['throughput'] {
  const first = o.gpus[0];
  if (!first || !(first.bandwidthGBps > 0)) return undefined;
  let gpu: GpuSpec = first;
  let gpuWeightFraction = 1;
  if (raw.engine === 'llama.cpp') {
    gpu = o.gpus.reduce((a, g) => (g.bandwidthGBps < a.bandwidthGBps ? g : a), first);
    gpuWeightFraction = raw.gpuWeightFraction;
  } else if (raw.engine === 'vllm') {
    const tp = o.vllm?.tensorParallelSize ?? 1;
    gpu = {
      ...first,
      bandwidthGBps: first.bandwidthGBps * tp,
      tflops: {
        ...first.tflops,
        fp16: first.tflops.fp16 * tp,
        ...(first.tflops.bf16 ? { bf16: first.tflops.bf16 * tp } : {}),
      },
    };
  }
  const base = { model: o.model, ...(o.format ? { format: o.format } : {}), gpu, context, batch, gpuWeightFraction };
  const decode = decodeThroughput(base);
  // A causal prompt of `context` tokens attends to context / 2 keys on average.
  const prefill = gpu.tflops.fp16 > 0 ? prefillThroughput({ ...base, context: Math.floor(context / 2) }) : undefined;
  return {
    decodeTokensPerSecond: decode.tokensPerSecond,
    ...(prefill ? { prefillTokensPerSecond: prefill.tokensPerSecond } : {}),
    note: decode.note,
  };
}

function emptyGpu(): GpuBytes {
  return {
    id: 'none',
    name: 'no GPU',
    capacityBytes: 0,
    bytes: { weights: 0, kvCache: 0, activations: 0, overhead: 0, total: 0 },
    fits: true,
  };
}
