import type { Architecture } from '../model/architecture.js';
import { isSoftmaxAttention } from '../model/architecture.js';
import { type BreakdownPart, part } from '../memory/breakdown.js';
import { InvalidInputError } from '../errors/invalid-input-error.js';
import { kvCacheBytes } from '../memory/kv-cache.js';
import type { PreparedModel } from '../model/prepare-model.js';
import { plainFormats, type WeightFormat } from '../formats/weight-format.js';
import { prepared, requireInt, requireRange, tensorBytes } from './devices.js';
import type { GpuSpec } from './gpus.js';
import { type DraftingRule, type SpeculativeStep, speculativeStep } from './speculative.js';

/**
 * Fraction of peak bandwidth a decode step reaches, by vendor. From published llama-bench tg128
 * results (llama.cpp discussion #4167, Apple Silicon: Llama-2-7B F16 0.69–0.78, Q4_0 0.45–0.58 of peak;
 * CUDA tg128 results for RTX 4090 land at 0.6–0.8). A model, stated: override with `bandwidthEfficiency`.
 */
export const DEFAULT_BANDWIDTH_EFFICIENCY = { nvidia: 0.7, amd: 0.6, apple: 0.6 } as const;
/** Fraction of dense peak TFLOPs a prefill reaches (llama-bench pp512 on RTX 4090 and M2 Ultra: 0.55–0.7). */
export const DEFAULT_COMPUTE_EFFICIENCY = 0.5;

/** Inputs of {@link decodeThroughput} and {@link prefillThroughput}. */
export interface ThroughputOptions {
  model: Architecture | PreparedModel;
  format?: WeightFormat;
  gpu: GpuSpec;
  /** Tokens already in each sequence's cache (the decode step reads them all); for prefill, the keys each prompt token attends to on average. */
  context: number;
  /** Sequences decoded together (one token each per step). Default 1. */
  batch?: number;
  /** KV dtype (default f16). */
  kvDtype?: string;
  /** Share of the weights (and their reads) resident on the GPU, 0–1; the rest is read from host RAM. Default 1. */
  gpuWeightFraction?: number;
  /** Host RAM bandwidth in GB/s for the CPU-offloaded share (default 60: dual-channel DDR5-5600 peak 89.6 × 0.67). */
  hostBandwidthGBps?: number;
  bandwidthEfficiency?: number;
  computeEfficiency?: number;
  /** Tensor-core dtype of the prefill matmuls (default bf16, fp16 where the GPU has no bf16). */
  computeDtype?: 'fp16' | 'bf16' | 'fp8' | 'int8';
}

/** A throughput figure with the bytes or FLOPs behind it. */
export interface ThroughputEstimate extends BreakdownPart {
  tokensPerSecond: number;
}

function activeWeightBytes(
  p: PreparedModel,
  format: WeightFormat,
  batch: number,
): { total: number; active: number; note: string } {
  let total = 0;
  let dense = 0;
  let experts = 0;
  for (const { tensor, bytes } of tensorBytes(p, format)) {
    total += bytes;
    if (tensor.role === 'token_embd' || tensor.role === 'position_embd') continue; // a lookup reads one row per token
    if (tensor.shape.length === 3) experts += bytes;
    else dense += bytes;
  }
  const moe = p.arch.layers.map((l) => l.mlp).find((m) => m.kind === 'moe');
  if (moe?.kind !== 'moe')
    return { total, active: dense, note: 'every weight except the embedding table is read once per step' };
  // Expected distinct experts a batch touches under uniform routing: E × (1 − (1 − k/E)^batch).
  const touched = 1 - (1 - moe.topK / moe.numExperts) ** batch;
  return {
    total,
    active: dense + experts * touched,
    note: `MoE: shared weights + ${(touched * 100).toFixed(1)}% of expert weights (top-${moe.topK} of ${moe.numExperts}, batch ${batch}, uniform routing)`,
  };
}

function efficiency(value: number | undefined, fallback: number, path: string): number {
  const e = value ?? fallback;
  requireRange(e, 0.01, 1, path, 'efficiency');
  return e;
}

/**
 * Decode speed as a bandwidth-bound step: each step reads the active weights once and every
 * sequence's KV cache; the CPU-offloaded share is read at host RAM bandwidth.
 * @param o model, format, GPU, context (tokens in cache), batch
 * @returns tokens/s over the batch, with bytes per step and seconds per step in the parts
 * @throws InvalidInputError when the GPU has no bandwidth figure or an option is out of range
 */
export function decodeThroughput(o: ThroughputOptions): ThroughputEstimate {
  const p = prepared(o.model);
  const format = o.format ?? plainFormats.bf16;
  const batch = o.batch ?? 1;
  requireInt(o.context, 0, 'throughput.context', 'context');
  requireInt(batch, 1, 'throughput.batch', 'batch');
  if (!(o.gpu.bandwidthGBps > 0))
    throw new InvalidInputError([
      {
        path: 'gpu.bandwidthGBps',
        message: `no memory bandwidth known for ${o.gpu.name}; pick a catalogue GPU to estimate speed`,
        received: o.gpu.bandwidthGBps,
      },
    ]);
  const gpuShare = o.gpuWeightFraction ?? 1;
  requireRange(gpuShare, 0, 1, 'throughput.gpuWeightFraction', 'gpuWeightFraction');
  const w = activeWeightBytes(p, format, batch);
  const kv = o.context > 0 ? kvCacheBytes(p.arch, { tokens: o.context, batch, kDtype: o.kvDtype ?? 'f16' }).bytes : 0;
  const eff = efficiency(
    o.bandwidthEfficiency,
    DEFAULT_BANDWIDTH_EFFICIENCY[o.gpu.vendor],
    'throughput.bandwidthEfficiency',
  );
  const gpuBytes = w.active * gpuShare + kv * gpuShare;
  const hostBytes = (w.active + kv) * (1 - gpuShare);
  const hostBw = (o.hostBandwidthGBps ?? 60) * 1e9;
  const seconds = gpuBytes / (o.gpu.bandwidthGBps * 1e9 * eff) + hostBytes / hostBw;
  const tokensPerSecond = batch / seconds;
  return {
    ...part(
      gpuBytes + hostBytes,
      `decode: ${batch} tokens per step / (${(gpuBytes / 1e9).toFixed(2)} GB at ${o.gpu.bandwidthGBps} GB/s × ${eff}${hostBytes > 0 ? ` + ${(hostBytes / 1e9).toFixed(2)} GB at ${hostBw / 1e9} GB/s host` : ''}) = ${tokensPerSecond.toFixed(1)} tok/s`,
      {
        accuracy: 'model',
        source: 'bandwidth-bound decode; efficiency from llama-bench tg128 results (llama.cpp discussion #4167)',
        parts: {
          weights: part(w.active, w.note),
          kvCache: part(kv, `KV of ${batch} × ${o.context.toLocaleString('en-US')} tokens read per step`),
        },
      },
    ),
    tokensPerSecond,
  };
}

/**
 * Prefill speed as a compute-bound pass: 2 FLOPs per active parameter per token plus attention's
 * 2 × n_layer × context × d_attn (Kaplan et al. 2020, table 1), at a fraction of dense peak TFLOPs.
 * @returns prompt tokens/s
 * @throws InvalidInputError when the GPU has no TFLOPs figure for the dtype
 */
export function prefillThroughput(o: ThroughputOptions): ThroughputEstimate {
  const p = prepared(o.model);
  const format = o.format ?? plainFormats.bf16;
  const dtype = o.computeDtype ?? (o.gpu.tflops.bf16 ? 'bf16' : 'fp16');
  const peak = o.gpu.tflops[dtype];
  if (!peak || peak <= 0)
    throw new InvalidInputError([
      { path: 'throughput.computeDtype', message: `${o.gpu.name} lists no ${dtype} TFLOPs; use fp16`, received: dtype },
    ]);
  const eff = efficiency(o.computeEfficiency, DEFAULT_COMPUTE_EFFICIENCY, 'throughput.computeEfficiency');
  const w = activeWeightBytes(p, format, 1);
  const params = activeParameters(p.arch, p);
  let attn = 0;
  for (const l of p.arch.layers)
    if (isSoftmaxAttention(l.attention)) attn += 2 * o.context * l.attention.numHeads * l.attention.headDim;
  const flopsPerToken = 2 * params + attn;
  const tokensPerSecond = (peak * 1e12 * eff) / flopsPerToken;
  return {
    ...part(
      flopsPerToken,
      `prefill: ${peak} TFLOPs (${dtype}) × ${eff} / ${(flopsPerToken / 1e9).toFixed(2)} GFLOP per token = ${tokensPerSecond.toFixed(0)} tok/s`,
      {
        accuracy: 'model',
        source: 'compute-bound prefill, Kaplan et al. 2020 (arXiv:2001.08361) table 1',
        parts: {
          matmul: part(2 * params, `2 × ${params.toLocaleString('en-US')} active parameters; ${w.note}`),
          attention: part(attn, `2 × layers × ${o.context} × d_attn`),
        },
      },
    ),
    tokensPerSecond,
  };
}

/** Parameters a token passes through: all but the embedding table, MoE experts at top-k / E. */
function activeParameters(arch: Architecture, p: PreparedModel): number {
  const moe = arch.layers.map((l) => l.mlp).find((m) => m.kind === 'moe');
  let n = 0;
  for (const t of p.tensors) {
    if (t.mtp || t.role === 'token_embd' || t.role === 'position_embd') continue;
    let e = 1;
    for (const d of t.shape) e *= d;
    n += t.shape.length === 3 && moe?.kind === 'moe' ? (e * moe.topK) / moe.numExperts : e;
  }
  return n;
}

/** Inputs of {@link speculativeDecoding}. */
export interface SpeculativeOptions {
  /** Target model decode step, from {@link decodeThroughput}. */
  target: ThroughputEstimate;
  /** Draft model decode step on the same GPU. */
  draft: ThroughputEstimate;
  /** Tokens the draft proposes per step (γ). */
  draftTokens: number;
  /** Probability the target accepts a draft token (α, 0–1); 0.6–0.8 is typical for a same-family draft. */
  acceptanceRate: number;
  /** The engine's drafting rule (llama.cpp's early stop); default γ drafted every step, as Leviathan et al. */
  drafting?: DraftingRule;
}

/**
 * Expected speed-up of speculative decoding (Leviathan et al. 2023, arXiv:2211.17192, eq. 1 and
 * theorem 3.8): a verify step yields the tokens of {@link speculativeStep} and costs its draft passes plus
 * one target step (verification of γ + 1 tokens is as memory-bound as one decode step).
 * @returns tokens/s with speculation, the speed-up and the expected tokens, drafts and passes per step
 */
export function speculativeDecoding(o: SpeculativeOptions): {
  tokensPerSecond: number;
  speedup: number;
} & SpeculativeStep {
  requireInt(o.draftTokens, 1, 'speculative.draftTokens', 'draft tokens (γ)');
  requireRange(o.acceptanceRate, 0, 0.999, 'speculative.acceptanceRate', 'acceptance rate (α)');
  const rule = o.drafting ?? { maxTokens: o.draftTokens, minTokens: 0, pMin: 0, passRate: 1, reevaluates: false };
  const step = speculativeStep(rule, o.acceptanceRate);
  const c = o.target.tokensPerSecond / o.draft.tokensPerSecond;
  const speedup = step.tokensPerStep / (step.draftPasses * c + 1);
  return { tokensPerSecond: o.target.tokensPerSecond * speedup, speedup, ...step };
}

/**
 * Extra memory a draft model adds for speculative decoding: its weights and its own KV cache for the
 * same context and batch (llama.cpp `-md`, vLLM `speculative_config` keep both resident).
 * @returns bytes with parts weights and kvCache
 */
export function draftModelBytes(o: {
  model: Architecture | PreparedModel;
  format?: WeightFormat;
  context: number;
  batch?: number;
  kvDtype?: string;
}): BreakdownPart {
  const p = prepared(o.model);
  const weights = p.weightsIn(o.format ?? plainFormats.bf16).total;
  const kv = kvCacheBytes(p.arch, { tokens: o.context, batch: o.batch ?? 1, kDtype: o.kvDtype ?? 'f16' });
  return part(weights + kv.bytes, 'draft model: weights + its own KV cache', {
    accuracy: 'exact',
    parts: { weights: part(weights, `draft weights in ${(o.format ?? plainFormats.bf16).id}`), kvCache: kv },
  });
}
